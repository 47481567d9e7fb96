import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Turns the config.json of {@code runc spec} into the floor's: runs {@code true} without a terminal from the
 * busybox rootfs (read-only), in the cgroup given, with the same namespaces runc's default spec has.
 * <p>
 * Usage: {@code FloorSpec CONFIG.json CGROUPS_PATH}
 */
public final class FloorSpec {
    @SuppressWarnings("unchecked")
    public static void main(String[] argv) throws Exception {
        Path file = Path.of(argv[0]);
        Map<String, Object> spec = (Map<String, Object>) BenchSupport.Json.parse(Files.readString(file));
        Map<String, Object> process = (Map<String, Object>) spec.get("process");
        process.put("terminal", Boolean.FALSE);
        process.put("args", List.of("true"));
        Map<String, Object> root = (Map<String, Object>) spec.get("root");
        root.put("path", "rootfs");
        root.put("readonly", Boolean.TRUE);
        Map<String, Object> linux = (Map<String, Object>) spec.get("linux");
        linux.put("cgroupsPath", argv[1]);
        Files.writeString(file, BenchSupport.Json.write(spec));
    }
}
