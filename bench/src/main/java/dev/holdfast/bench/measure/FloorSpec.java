package dev.holdfast.bench.measure;

import dev.holdfast.bench.json.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Turns the config.json of {@code runc spec} into the floor's: runs {@code true} without a terminal from the
 * busybox rootfs (read-only), in the cgroup given, with the same namespaces runc's default spec has.
 * <p>
 * Usage: {@link #USAGE}.
 */
public final class FloorSpec {
    static final String USAGE = "FloorSpec CONFIG.json CGROUPS_PATH";

    public static void main(String[] argv) throws Exception {
        if (argv.length != 2) {
            System.err.println("usage: " + USAGE);
            System.exit(2);
        }
        Path file = Path.of(argv[0]);
        Files.writeString(file, floor(Files.readString(file), argv[1]));
    }

    /** The floor's config.json made of runc's default one. */
    @SuppressWarnings("unchecked")
    static String floor(String runcSpec, String cgroupsPath) {
        Map<String, Object> spec = (Map<String, Object>) Json.parse(runcSpec);
        Map<String, Object> process = (Map<String, Object>) spec.get("process");
        process.put("terminal", Boolean.FALSE);
        process.put("args", List.of("true"));
        Map<String, Object> root = (Map<String, Object>) spec.get("root");
        root.put("path", "rootfs");
        root.put("readonly", Boolean.TRUE);
        Map<String, Object> linux = (Map<String, Object>) spec.get("linux");
        linux.put("cgroupsPath", cgroupsPath);
        return Json.write(spec);
    }
}
