package dev.holdfast.supervisor.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.List;

/** Minimal OCI specs: non-terminal, namespaces pid/ipc/uts/mount, cgroupsPath under a per-test parent. */
public final class Specs {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Specs() {}

    public static byte[] spec(Path rootfs, String cgroupsPath, List<String> args) {
        return spec(rootfs, cgroupsPath, args, List.of("pid", "ipc", "uts", "mount"));
    }

    public static byte[] spec(Path rootfs, String cgroupsPath, List<String> args, List<String> namespaces) {
        ObjectNode s = JSON.createObjectNode();
        s.put("ociVersion", "1.0.2");
        ObjectNode process = s.putObject("process");
        process.put("terminal", false);
        process.putObject("user").put("uid", 0).put("gid", 0);
        ArrayNode a = process.putArray("args");
        args.forEach(a::add);
        process.putArray("env").add("PATH=/bin");
        process.put("cwd", "/");
        s.putObject("root").put("path", rootfs.toString()).put("readonly", false);
        s.put("hostname", "hfs");
        ArrayNode mounts = s.putArray("mounts");
        mounts.addObject().put("destination", "/proc").put("type", "proc").put("source", "proc");
        ObjectNode dev = mounts.addObject().put("destination", "/dev").put("type", "tmpfs").put("source", "tmpfs");
        dev.putArray("options").add("nosuid").add("strictatime").add("mode=755").add("size=65536k");
        ObjectNode linux = s.putObject("linux");
        ArrayNode ns = linux.putArray("namespaces");
        namespaces.forEach(n -> ns.addObject().put("type", n));
        linux.put("cgroupsPath", cgroupsPath);
        try {
            return JSON.writeValueAsBytes(s);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
