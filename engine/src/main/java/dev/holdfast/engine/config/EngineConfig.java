package dev.holdfast.engine.config;

import dev.holdfast.engine.spec.InitProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.tomlj.Toml;
import org.tomlj.TomlParseResult;

/**
 * The engine's view of {@code config.toml}. Every key has a default derived from {@code [paths]}, so an isolated
 * instance only needs its own paths (see docs/internals.md).
 */
public record EngineConfig(
        Path dataRoot,
        Path runRoot,
        Path apiSocket,
        Path supervisorSocket,
        Path initPath,
        String cgroupParent,
        boolean reconcile,
        String bridge,
        String subnet,
        String pool,
        int poolSize,
        Path netavark,
        Path aardvarkDns,
        java.util.List<String> dns,
        String logMaxSize,
        long logMaxFile,
        java.util.List<String> insecureRegistries,
        java.util.List<String> registryMirrors,
        java.util.Map<String, String> runtimes) {

    /** {@code [log] max_size}/{@code max_file} as json-file log options, for containers that set none. */
    public java.util.Map<String, String> logOptions() {
        java.util.Map<String, String> options = new java.util.LinkedHashMap<>();
        if (logMaxSize != null && !logMaxSize.isEmpty()) {
            options.put("max-size", logMaxSize);
            if (logMaxFile > 0) {
                options.put("max-file", String.valueOf(logMaxFile));
            }
        }
        return options;
    }

    public static final Path DEFAULT_DATA = Path.of("/var/lib/holdfast");
    public static final Path DEFAULT_RUN = Path.of("/run/holdfast");

    public static EngineConfig load(Path file) throws IOException {
        TomlParseResult toml = Toml.parse(Files.readString(file));
        if (toml.hasErrors()) {
            throw new IOException("invalid config " + file + ": " + toml.errors().get(0));
        }
        return from(toml);
    }

    /** A list key: an array of strings, or one string of them separated by commas or blanks. */
    private static java.util.List<String> strings(TomlParseResult toml, String key) {
        if (toml.isArray(key)) {
            return toml.getArrayOrEmpty(key).toList().stream().map(String::valueOf).toList();
        }
        String text = toml.getString(key, () -> "").trim();
        return text.isEmpty() ? java.util.List.of() : java.util.List.of(text.split("[,\\s]+"));
    }

    public static EngineConfig defaults() {
        return from(Toml.parse(""));
    }

    private static EngineConfig from(TomlParseResult toml) {
        Path data = Path.of(toml.getString("paths.data", DEFAULT_DATA::toString));
        Path run = Path.of(toml.getString("paths.run", DEFAULT_RUN::toString));
        return new EngineConfig(
                data,
                run,
                Path.of(toml.getString("engine.socket", () -> run.resolve("holdfast.sock").toString())),
                Path.of(toml.getString("supervisor.socket", () -> run.resolve("supervisor.sock").toString())),
                Path.of(toml.getString("engine.init_path", InitProcess.DEFAULT_BINARY::toString)),
                toml.getString("supervisor.cgroup_parent", () -> "/holdfast"),
                toml.getBoolean("task.options.reconcile", () -> true),
                toml.getString("network.bridge", () -> "holdfast0"),
                toml.getString("network.subnet", () -> "10.88.0.0/16"),
                toml.getString("network.pool", () -> "10.89.0.0/16"),
                Math.toIntExact(toml.getLong("network.pool_size", () -> 24L)),
                Path.of(toml.getString("network.netavark", () -> "/usr/lib/podman/netavark")),
                Path.of(toml.getString("network.aardvark_dns", () -> "/usr/lib/podman/aardvark-dns")),
                strings(toml, "network.dns"),
                toml.getString("log.max_size", () -> ""),
                toml.getLong("log.max_file", () -> 0L),
                strings(toml, "registry.insecure"),
                strings(toml, "registry.mirrors"),
                runtimes(toml));
    }

    /** {@code [runtimes.<name>] path = "..."}: the OCI runtimes besides runc, name to binary. */
    private static java.util.Map<String, String> runtimes(TomlParseResult toml) {
        java.util.Map<String, String> runtimes = new java.util.LinkedHashMap<>();
        org.tomlj.TomlTable table = toml.getTable("runtimes");
        if (table == null) {
            return runtimes;
        }
        for (String name : table.keySet()) {
            org.tomlj.TomlTable runtime = table.getTable(java.util.List.of(name));
            String path = runtime == null ? null : runtime.getString("path");
            if (path == null || path.isBlank()) {
                throw new IllegalArgumentException("config.toml: [runtimes." + name + "] needs path = \"<binary>\"");
            }
            runtimes.put(name, path);
        }
        return runtimes;
    }
}
