package dev.holdfast.supervisor.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.tomlj.Toml;
import org.tomlj.TomlParseResult;

/**
 * The supervisor's settings, read from the shared {@code config.toml} (see docs/internals.md).
 *
 * <p>Every key has a default:
 * <ul>
 *   <li>{@code [paths] run}: {@code /run/holdfast}</li>
 *   <li>{@code [supervisor] socket}: {@code <run>/supervisor.sock}</li>
 *   <li>{@code [supervisor] shim}: the key, else the environment variable {@code HOLDFAST_SHIM}, else
 *       {@code <directory of the supervisor jar>/../../../shim/target/holdfast-shim} (the repository layout:
 *       {@code supervisor/daemon/target/holdfast-supervisor.jar} next to {@code shim/target/holdfast-shim})</li>
 *   <li>{@code [supervisor] runc}: {@code runc}, resolved against {@code PATH} when it has no slash</li>
 *   <li>{@code [supervisor] cgroup_parent}: {@code /holdfast}</li>
 * </ul>
 * Relative paths in the file are taken relative to the file's directory.
 */
public record SupervisorConfig(Path run, Path socket, Path shim, Path runc, String cgroupParent) {

    public static final Path DEFAULT_RUN = Path.of("/run/holdfast");
    public static final String DEFAULT_CGROUP_PARENT = "/holdfast";
    public static final String SHIM_ENV = "HOLDFAST_SHIM";

    /** {@code <run>/supervisor}: the supervisor's own state. */
    public Path stateDir() {
        return run.resolve("supervisor");
    }

    /** {@code <run>/supervisor/tasks}: one directory (and OCI bundle) per task. */
    public Path tasksDir() {
        return stateDir().resolve("tasks");
    }

    /** {@code <run>/runc}: runc's {@code --root}. */
    public Path runcRoot() {
        return run.resolve("runc");
    }

    /** {@code <run>/runtimes}: the state directories ({@code --root}) of runtimes other than runc. */
    public Path runtimesDir() {
        return run.resolve("runtimes");
    }

    /** {@code <run>/shim}: the shims' control sockets. */
    public Path shimSocketDir() {
        return run.resolve("shim");
    }

    /** {@code <run>/shim/<id>.sock}: one shim's control socket. */
    public Path shimSocket(String id) {
        return shimSocketDir().resolve(id + ".sock");
    }

    /**
     * The control socket of a task's shim ({@code execId} "": {@link #shimSocket(String)}) or of an exec's:
     * {@code <run>/shim/<first 24 hex digits of sha256("<id>/<execId>")>.sock}, short whatever the ids' length.
     */
    public Path shimSocket(String id, String execId) {
        if (execId.isEmpty()) {
            return shimSocket(id);
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest((id + "/" + execId).getBytes(StandardCharsets.UTF_8));
            return shimSocketDir().resolve(HexFormat.of().formatHex(digest, 0, 12) + ".sock");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code <run>/supervisor.pid}. */
    public Path pidFile() {
        return run.resolve("supervisor.pid");
    }

    /**
     * Reads {@code file}.
     *
     * @throws java.nio.file.NoSuchFileException when it does not exist (use {@link #defaults()} for no file)
     * @throws IllegalArgumentException when it is not valid TOML or a key has the wrong type
     */
    public static SupervisorConfig load(Path file) throws IOException {
        Path base = file.toAbsolutePath().getParent();
        String text = Files.readString(file);
        return parse(text, base, System.getenv(), jarDirectory(), System.getenv("PATH"));
    }

    /** All defaults, as if the config file were empty. */
    public static SupervisorConfig defaults() {
        return parse("", Path.of("/"), System.getenv(), jarDirectory(), System.getenv("PATH"));
    }

    /**
     * The pure part of {@link #load}: {@code base} resolves relative paths, {@code env} supplies
     * {@code HOLDFAST_SHIM}, {@code jarDir} the last-resort shim location, {@code pathVar} the runc lookup.
     */
    public static SupervisorConfig parse(String toml, Path base, Map<String, String> env, Optional<Path> jarDir,
            String pathVar) {
        TomlParseResult doc = Toml.parse(toml);
        if (doc.hasErrors()) {
            throw new IllegalArgumentException("config.toml: " + doc.errors().get(0).toString());
        }
        Path run = path(doc, "paths.run", base).orElse(DEFAULT_RUN);
        Path socket = path(doc, "supervisor.socket", base).orElse(run.resolve("supervisor.sock"));
        Path shim = path(doc, "supervisor.shim", base)
                .or(() -> Optional.ofNullable(env.get(SHIM_ENV)).filter(s -> !s.isBlank()).map(s -> base.resolve(s)))
                .orElseGet(() -> jarDir.map(d -> d.resolve("../../../shim/target/holdfast-shim").normalize())
                        .orElse(Path.of("holdfast-shim")));
        String runcName = string(doc, "supervisor.runc").orElse("runc");
        Path runc = resolveExecutable(runcName, base, pathVar);
        String cgroupParent = string(doc, "supervisor.cgroup_parent").orElse(DEFAULT_CGROUP_PARENT);
        if (!cgroupParent.startsWith("/")) {
            throw new IllegalArgumentException("config.toml: supervisor.cgroup_parent must be absolute: " + cgroupParent);
        }
        while (cgroupParent.length() > 1 && cgroupParent.endsWith("/")) {
            cgroupParent = cgroupParent.substring(0, cgroupParent.length() - 1);
        }
        return new SupervisorConfig(run, socket, shim, runc, cgroupParent);
    }

    /** A name without a slash is looked up in {@code pathVar}; if absent there it is returned as is. */
    static Path resolveExecutable(String name, Path base, String pathVar) {
        if (name.contains("/")) {
            return base.resolve(name).normalize();
        }
        if (pathVar != null) {
            for (String dir : pathVar.split(":")) {
                if (dir.isEmpty()) {
                    continue;
                }
                Path candidate = Path.of(dir, name);
                if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                    return candidate.toAbsolutePath();
                }
            }
        }
        return Path.of(name);
    }

    private static Optional<String> string(TomlParseResult doc, String key) {
        if (!doc.contains(key)) {
            return Optional.empty();
        }
        Object value = doc.get(key);
        if (!(value instanceof String s)) {
            throw new IllegalArgumentException("config.toml: " + key + " must be a string");
        }
        return s.isBlank() ? Optional.empty() : Optional.of(s);
    }

    private static Optional<Path> path(TomlParseResult doc, String key, Path base) {
        return string(doc, key).map(s -> base.resolve(s).normalize());
    }

    private static Optional<Path> jarDirectory() {
        try {
            var source = SupervisorConfig.class.getProtectionDomain().getCodeSource();
            if (source == null) {
                return Optional.empty();
            }
            Path location = Path.of(source.getLocation().toURI());
            return Optional.ofNullable(Files.isRegularFile(location) ? location.getParent() : location);
        } catch (Exception e) {
            return Optional.empty();
        }
    }

    /** The supervisor's view, one line per key, for the startup log. */
    public List<String> describe() {
        return List.of("run=" + run, "socket=" + socket, "shim=" + shim, "runc=" + runc,
                "cgroup_parent=" + cgroupParent);
    }
}
