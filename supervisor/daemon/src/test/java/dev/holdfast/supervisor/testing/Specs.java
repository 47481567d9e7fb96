package dev.holdfast.supervisor.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.List;

/**
 * Minimal OCI specs: non-terminal unless asked, namespaces pid/ipc/uts/mount, /proc, a tmpfs /dev with devpts,
 * cgroupsPath under a per-test parent; and OCI processes for execs.
 */
public final class Specs {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Specs() {}

    public static byte[] spec(Path rootfs, String cgroupsPath, List<String> args) {
        return spec(rootfs, cgroupsPath, args, List.of("pid", "ipc", "uts", "mount"));
    }

    public static byte[] spec(Path rootfs, String cgroupsPath, List<String> args, List<String> namespaces) {
        return spec(rootfs, cgroupsPath, args, namespaces, false);
    }

    public static byte[] spec(Path rootfs, String cgroupsPath, List<String> args, List<String> namespaces,
            boolean terminal) {
        ObjectNode s = JSON.createObjectNode();
        s.put("ociVersion", "1.0.2");
        s.set("process", processNode(args, terminal));
        s.putObject("root").put("path", rootfs.toString()).put("readonly", false);
        s.put("hostname", "hfs");
        ArrayNode mounts = s.putArray("mounts");
        mounts.addObject().put("destination", "/proc").put("type", "proc").put("source", "proc");
        ObjectNode dev = mounts.addObject().put("destination", "/dev").put("type", "tmpfs").put("source", "tmpfs");
        dev.putArray("options").add("nosuid").add("strictatime").add("mode=755").add("size=65536k");
        ObjectNode pts = mounts.addObject().put("destination", "/dev/pts").put("type", "devpts")
                .put("source", "devpts");
        pts.putArray("options").add("nosuid").add("noexec").add("newinstance").add("ptmxmode=0666").add("mode=0620");
        ObjectNode linux = s.putObject("linux");
        ArrayNode ns = linux.putArray("namespaces");
        namespaces.forEach(n -> ns.addObject().put("type", n));
        linux.put("cgroupsPath", cgroupsPath);
        return bytes(s);
    }

    /** The OCI process JSON of an exec. */
    public static byte[] process(List<String> args, boolean terminal) {
        return bytes(processNode(args, terminal));
    }

    private static ObjectNode processNode(List<String> args, boolean terminal) {
        ObjectNode process = JSON.createObjectNode();
        process.put("terminal", terminal);
        process.putObject("user").put("uid", 0).put("gid", 0);
        ArrayNode a = process.putArray("args");
        args.forEach(a::add);
        process.putArray("env").add("PATH=/bin").add("TERM=xterm");
        process.put("cwd", "/");
        return process;
    }

    private static byte[] bytes(ObjectNode node) {
        try {
            return JSON.writeValueAsBytes(node);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
