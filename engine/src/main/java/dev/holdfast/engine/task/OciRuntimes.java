package dev.holdfast.engine.task;

import dev.holdfast.supervisor.api.TaskRuntime;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The OCI runtimes a container may name in {@code HostConfig.Runtime}: {@code runc}, the supervisor's own, and
 * those of config.toml's {@code [runtimes.<name>]} tables ({@code path}: the binary, looked up in PATH when it has
 * no slash). {@code docker info} lists them.
 */
public final class OciRuntimes {
    public static final String DEFAULT = "runc";

    private final Map<String, String> configured;

    /** @param configured name to path as config.toml gives them; runc is added when absent */
    public OciRuntimes(Map<String, String> configured) {
        Map<String, String> all = new LinkedHashMap<>();
        all.put(DEFAULT, "runc");
        all.putAll(configured);
        this.configured = Map.copyOf(all);
    }

    public static OciRuntimes runcOnly() {
        return new OciRuntimes(Map.of());
    }

    public Set<String> names() {
        return configured.keySet();
    }

    /** {@code docker info}'s {@code Runtimes}: {@code {"runc": {"path": "runc"}, ...}}. */
    public Map<String, Map<String, String>> info() {
        Map<String, Map<String, String>> info = new LinkedHashMap<>();
        configured.keySet().stream().sorted().forEach(name -> info.put(name, Map.of("path", configured.get(name))));
        return info;
    }

    /**
     * What the supervisor is told to run a task with: nothing for runc (its own), else the name and the binary's
     * absolute path (resolved against PATH now; a binary not found stays as configured and the create fails).
     */
    public TaskRuntime request(String name) {
        if (name == null || name.isEmpty() || name.equals(DEFAULT) || !configured.containsKey(name)) {
            return TaskRuntime.getDefaultInstance();
        }
        return TaskRuntime.newBuilder().setName(name).setPath(resolve(configured.get(name))).build();
    }

    private static String resolve(String path) {
        if (path.contains("/")) {
            return Path.of(path).toAbsolutePath().normalize().toString();
        }
        String pathVar = System.getenv("PATH");
        for (String dir : pathVar == null ? new String[0] : pathVar.split(":")) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, path);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return candidate.toAbsolutePath().toString();
            }
        }
        return path;
    }
}
