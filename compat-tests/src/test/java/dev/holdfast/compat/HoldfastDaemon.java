package dev.holdfast.compat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * A real holdfast instance (supervisor + engine, their shims and runc) in its own short root under /tmp, started and
 * stopped through {@code scripts/holdfast --root DIR}, and the real {@code docker} CLI pointed at it.
 *
 * <pre>{@code
 * try (HoldfastDaemon holdfast = HoldfastDaemon.start()) {
 *     assertEquals("hello", holdfast.docker("run", "--rm", "busybox", "echo", "hello").assertOk().out());
 * }
 * try (HoldfastDaemon holdfast = HoldfastDaemon.builder().reconcile(false).start()) { ... }
 * }</pre>
 *
 * <p>The project home comes from the system property {@code holdfast.home} (set by compat-tests/pom.xml). The scripts
 * run with {@code HOLDFAST_SKIP_BUILD=1}, since Maven has just built the jars and the shim; set the system property
 * {@code holdfast.build=true} to let {@code holdfast up} rebuild stale artifacts instead. {@link #close()} removes every
 * container, stops both daemons and deletes the root; the daemons' logs are kept in
 * {@code compat-tests/target/holdfast-logs/<root name>/}.
 */
public final class HoldfastDaemon implements AutoCloseable {

    public static final Duration DOCKER_TIMEOUT = Duration.ofSeconds(60);
    public static final Duration UP_TIMEOUT = Duration.ofMinutes(5);
    public static final Duration ACTION_TIMEOUT = Duration.ofMinutes(3);

    private static final ExecutorService IO = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "holdfast-process-io");
        t.setDaemon(true);
        return t;
    });
    private static final SecureRandom RANDOM = new SecureRandom();
    /** Where the tests' containers send DNS queries holdfast's networks cannot answer: nowhere. */
    public static final String UNANSWERED_DNS = "127.0.0.9";

    private final Path home;
    private final Path root;
    private final String dockerHost;
    private final Map<String, String> scriptEnv;
    private final Thread shutdownHook;
    private volatile boolean closed;

    private HoldfastDaemon(Path home, Path root, String dockerHost, Map<String, String> scriptEnv) {
        this.home = home;
        this.root = root;
        this.dockerHost = dockerHost;
        this.scriptEnv = Map.copyOf(scriptEnv);
        this.shutdownHook = new Thread(this::closeQuietly, "holdfast-close-" + root.getFileName());
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /** Starts an instance with the default configuration. */
    public static HoldfastDaemon start() {
        return builder().start();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Settings applied to {@code config.toml} before the daemons start. */
    public static final class Builder {
        private final Map<String, Object> settings = new LinkedHashMap<>(Map.of(
                // The network rule of the tests: no container may reach past loopback for a name. Containers (and
                // aardvark-dns, for names it does not know) ask a loopback address nothing answers on.
                "network.dns", UNANSWERED_DNS));

        private final Map<String, String> scriptEnv = new LinkedHashMap<>();

        private Builder() {}

        /**
         * The engine jar this instance runs ({@code HOLDFAST_ENGINE_JAR} of every {@code scripts/holdfast} call): a
         * copy the test may replace between restarts, as an upgrade does.
         */
        public Builder engineJar(Path jar) {
            scriptEnv.put("HOLDFAST_ENGINE_JAR", jar.toString());
            return this;
        }

        /** Sets {@code key} (SECTION.KEY, e.g. {@code "task.options.reconcile"}) in config.toml before start. */
        public Builder config(String key, Object value) {
            settings.put(key, value);
            return this;
        }

        /** {@code [task.options] reconcile}: false makes a graceful engine shutdown stop every container. */
        public Builder reconcile(boolean reconcile) {
            return config("task.options.reconcile", reconcile);
        }

        public HoldfastDaemon start() {
            Path home = projectHome();
            Path root = newRoot();
            boolean started = false;
            try {
                if (!settings.isEmpty()) {
                    script(home, scriptEnv, ACTION_TIMEOUT, configArgs(root, settings)).assertOk();
                }
                DockerResult up = script(home, scriptEnv, UP_TIMEOUT, "up", "--root", root.toString());
                if (!up.ok()) {
                    throw new IllegalStateException("holdfast up failed: " + up + logs(root));
                }
                String dockerHost = up.stdout().lines()
                        .filter(l -> l.startsWith("export DOCKER_HOST="))
                        .map(l -> l.substring("export DOCKER_HOST=".length()).trim())
                        .findFirst()
                        .orElseThrow(() -> new IllegalStateException("holdfast up printed no DOCKER_HOST: " + up));
                HoldfastDaemon daemon = new HoldfastDaemon(home, root, dockerHost, scriptEnv);
                started = true;
                return daemon;
            } finally {
                if (!started) {
                    keepLogs(home, root);
                    script(home, scriptEnv, ACTION_TIMEOUT, "down", "--root", root.toString(), "--purge");
                    deleteTree(root);
                }
            }
        }
    }

    /** {@code unix:///tmp/hf-xxxxxx/run/holdfast.sock}: what DOCKER_HOST must be for this instance. */
    public String dockerHost() {
        return dockerHost;
    }

    /** The engine's Docker API socket. */
    public Path socket() {
        return Path.of(dockerHost.substring("unix://".length()));
    }

    /** The instance root: config.toml, data/, run/. */
    public Path root() {
        return root;
    }

    public Path config() {
        return root.resolve("config.toml");
    }

    public Path dataDir() {
        return root.resolve("data");
    }

    public Path runDir() {
        return root.resolve("run");
    }

    /** The project checkout (holds scripts/ and the built jars). */
    public Path home() {
        return home;
    }

    /** Runs the docker CLI against this instance, stdin from /dev/null, with {@link #DOCKER_TIMEOUT}. */
    public DockerResult docker(String... args) {
        return docker(DOCKER_TIMEOUT, args);
    }

    public DockerResult docker(Duration timeout, String... args) {
        return run(dockerCommand(args), dockerEnv(), null, timeout);
    }

    /** Runs the docker CLI with {@code stdin} as its standard input (for {@code docker run -i}, {@code load}). */
    public DockerResult dockerWithInput(byte[] stdin, String... args) {
        return run(dockerCommand(args), dockerEnv(), stdin, DOCKER_TIMEOUT);
    }

    /** {@code scripts/holdfast engine ACTION --root DIR} (start, stop, restart, kill); fails when the script fails. */
    public DockerResult engine(String action) {
        return script(home, ACTION_TIMEOUT, "engine", action, "--root", root.toString()).assertOk();
    }

    /**
     * {@code docker rm -f} of every container, for a test class that shares one instance between its tests.
     *
     * @return the failed {@code ps} or {@code rm}, if one failed
     */
    public Optional<DockerResult> removeAllContainers() {
        DockerResult ps = docker(Duration.ofSeconds(30), "ps", "-aq");
        if (!ps.ok()) {
            return Optional.of(ps);
        }
        List<String> ids = ps.stdout().lines().map(String::trim).filter(id -> !id.isEmpty()).toList();
        if (ids.isEmpty()) {
            return Optional.empty();
        }
        List<String> rm = new ArrayList<>(List.of("rm", "-f"));
        rm.addAll(ids);
        DockerResult removed = docker(Duration.ofMinutes(2), rm.toArray(String[]::new));
        return removed.ok() ? Optional.empty() : Optional.of(removed);
    }

    /**
     * SIGKILLs the engine's holder, then the engine: the engine stays down (a crash with nothing to restart it)
     * until {@code engine("start")}. {@code engine("kill")} kills the engine only, and its holder starts the next.
     */
    public void crashEngineForGood() {
        for (String pidFile : List.of("engine-holder.pid", "engine.pid")) {
            String pid = readQuietly(runDir().resolve(pidFile)).trim();
            ProcessHandle process = ProcessHandle.of(Long.parseLong(pid))
                    .orElseThrow(() -> new AssertionError(pidFile + " names no live process: " + pid));
            process.destroyForcibly();
            process.onExit().join();
        }
    }

    /** {@code scripts/holdfast supervisor ACTION --root DIR} (start, stop, restart, kill); fails when it fails. */
    public DockerResult supervisor(String action) {
        return script(home, ACTION_TIMEOUT, "supervisor", action, "--root", root.toString()).assertOk();
    }

    /** Any {@code scripts/holdfast} command for this instance; {@code --root DIR} is appended. */
    public DockerResult holdfast(String... args) {
        List<String> all = new ArrayList<>(Arrays.asList(args));
        all.add("--root");
        all.add(root.toString());
        return script(home, ACTION_TIMEOUT, all.toArray(String[]::new));
    }

    /**
     * Sets {@code key} (SECTION.KEY) in config.toml. The daemons read it when they start: follow with
     * {@code engine("restart")} / {@code supervisor("restart")}.
     */
    public void writeConfig(String key, Object value) {
        script(home, ACTION_TIMEOUT, configArgs(root, Map.of(key, value))).assertOk();
    }

    /** The engine's log ({@code run/engine.log}), for failure messages. */
    public String engineLog() {
        return readQuietly(runDir().resolve("engine.log"));
    }

    public String supervisorLog() {
        return readQuietly(runDir().resolve("supervisor.log"));
    }

    /**
     * Removes every container ({@code docker rm -f}), stops the engine and the supervisor and deletes the root
     * ({@code holdfast down --purge}, which also cleans whatever the daemons left: runc state, shims, cgroups).
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // called from the hook itself
        }
        List<String> problems = new ArrayList<>();
        try {
            removeAllContainers().ifPresent(failed -> problems.add(failed.toString()));
        } catch (RuntimeException e) {
            problems.add("docker rm -f: " + e);
        }
        keepLogs(home, root);
        try {
            DockerResult down = script(home, ACTION_TIMEOUT, "down", "--root", root.toString(), "--purge");
            if (!down.ok()) {
                problems.add(down.toString());
            }
        } catch (RuntimeException e) {
            problems.add("holdfast down: " + e);
        }
        deleteTree(root);
        if (!problems.isEmpty()) {
            System.err.println("holdfast: cleaning up " + root + " had problems:\n" + String.join("\n", problems));
        }
    }

    private void closeQuietly() {
        try {
            close();
        } catch (RuntimeException e) {
            System.err.println("holdfast: closing " + root + " at JVM exit: " + e);
        }
    }

    @Override
    public String toString() {
        return "HoldfastDaemon[" + root + "]";
    }

    // --- helpers -------------------------------------------------------------------------------------------------

    private List<String> dockerCommand(String... args) {
        List<String> command = new ArrayList<>();
        command.add(System.getProperty("holdfast.docker", "docker"));
        command.addAll(Arrays.asList(args));
        return command;
    }

    private Map<String, String> dockerEnv() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("DOCKER_HOST", dockerHost);
        env.put("DOCKER_CLI_HINTS", "false");
        // The CLI's own config (docker login's credentials) belongs to this instance, not to the user running tests.
        env.put("DOCKER_CONFIG", root.resolve("docker-cli").toString());
        return env;
    }

    private static String[] configArgs(Path root, Map<String, Object> settings) {
        List<String> args = new ArrayList<>(List.of("config", "--root", root.toString()));
        settings.forEach((key, value) -> {
            args.add("--set");
            args.add(key + "=" + tomlLiteral(value));
        });
        return args.toArray(String[]::new);
    }

    private static String tomlLiteral(Object value) {
        if (value instanceof Boolean || value instanceof Integer || value instanceof Long) {
            return value.toString();
        }
        return "\"" + value.toString().replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    static Path projectHome() {
        String property = System.getProperty("holdfast.home");
        if (property != null && !property.isBlank()) {
            return Path.of(property).toAbsolutePath().normalize();
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isExecutable(dir.resolve("scripts/holdfast"))) {
                return dir;
            }
        }
        throw new IllegalStateException("system property holdfast.home is not set and no scripts/holdfast above "
                + Path.of("").toAbsolutePath());
    }

    /** A fresh, short root: /tmp/hf-xxxxxx (shim sockets live at ROOT/run/shim/<64 hex>.sock, at most 107 bytes). */
    private static Path newRoot() {
        String alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
        for (int attempt = 0; attempt < 100; attempt++) {
            StringBuilder name = new StringBuilder("hf-");
            for (int i = 0; i < 6; i++) {
                name.append(alphabet.charAt(RANDOM.nextInt(alphabet.length())));
            }
            Path root = Path.of("/tmp", name.toString());
            try {
                return Files.createDirectory(root); // claims the name atomically
            } catch (java.nio.file.FileAlreadyExistsException taken) {
                // try another
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        throw new IllegalStateException("no free /tmp/hf-xxxxxx name");
    }

    private DockerResult script(Path home, Duration timeout, String... args) {
        return script(home, scriptEnv, timeout, args);
    }

    /** {@code scripts/holdfast ARGS...} of the checkout {@code home}, with {@code HOLDFAST_SKIP_BUILD=1} (see above). */
    static DockerResult script(Path home, Map<String, String> scriptEnv, Duration timeout, String... args) {
        List<String> command = new ArrayList<>();
        command.add(home.resolve("scripts/holdfast").toString());
        command.addAll(Arrays.asList(args));
        Map<String, String> env = new LinkedHashMap<>(scriptEnv);
        if (!Boolean.getBoolean("holdfast.build")) {
            env.put("HOLDFAST_SKIP_BUILD", "1");
        }
        return run(command, env, null, timeout);
    }

    /**
     * Runs {@code command} with {@code env} added to this JVM's environment. Fails (AssertionError) when it does not
     * finish within {@code timeout}: the process and its descendants are killed and what it printed is reported.
     */
    static DockerResult run(List<String> command, Map<String, String> env, byte[] stdin, Duration timeout) {
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().putAll(env);
        if (stdin == null) {
            builder.redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        }
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command, e);
        }
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> drain(process.getInputStream()), IO);
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> drain(process.getErrorStream()), IO);
        if (stdin != null) {
            IO.execute(() -> {
                try (OutputStream in = process.getOutputStream()) {
                    in.write(stdin);
                } catch (IOException ignored) {
                    // the process exited without reading everything
                }
            });
        }
        boolean finished;
        try {
            finished = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            throw new AssertionError("interrupted while running " + command, e);
        }
        if (!finished) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            throw new AssertionError("timed out after " + timeout + ": " + String.join(" ", command)
                    + "\n--- stdout ---\n" + collect(out) + "\n--- stderr ---\n" + collect(err));
        }
        return new DockerResult(process.exitValue(), collect(out), collect(err), command);
    }

    private static String drain(InputStream stream) {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        byte[] chunk = new byte[8192];
        try (stream) {
            int n;
            while ((n = stream.read(chunk)) >= 0) {
                synchronized (buffer) {
                    buffer.write(chunk, 0, n);
                }
            }
        } catch (IOException ignored) {
            // the stream was closed under us (process killed)
        }
        return buffer.toString(StandardCharsets.UTF_8);
    }

    /** The output of a finished process; a descendant still holding the pipe gets 10 s, then is ignored. */
    private static String collect(CompletableFuture<String> output) {
        try {
            return output.get(10, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            return "<output still open after the process exited: a descendant holds the pipe>";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "<interrupted>";
        } catch (ExecutionException e) {
            return "<" + e.getCause() + ">";
        }
    }

    private static String logs(Path root) {
        StringBuilder text = new StringBuilder();
        for (String name : List.of("supervisor.log", "engine.log")) {
            String log = readQuietly(root.resolve("run").resolve(name));
            if (!log.isEmpty()) {
                List<String> lines = log.lines().toList();
                text.append("\n--- last lines of ").append(name).append(" ---\n")
                        .append(String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size())));
            }
        }
        return text.toString();
    }

    private static String readQuietly(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return "";
        } catch (IOException e) {
            return "<cannot read " + file + ": " + e + ">";
        }
    }

    /** Copies the daemons' logs to compat-tests/target/holdfast-logs/ROOTNAME/ before the root goes away. */
    private static void keepLogs(Path home, Path root) {
        Path target = home.resolve("compat-tests/target/holdfast-logs").resolve(root.getFileName().toString());
        for (String name : List.of("supervisor.log", "engine.log", "config.toml")) {
            Path source = name.endsWith(".log") ? root.resolve("run").resolve(name) : root.resolve(name);
            if (Files.isRegularFile(source)) {
                try {
                    Files.createDirectories(target);
                    Files.copy(source, target.resolve(name), StandardCopyOption.REPLACE_EXISTING);
                } catch (IOException ignored) {
                    // logs are a courtesy
                }
            }
        }
    }

    private static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // reported below if the root survives
                }
            });
        } catch (IOException | UncheckedIOException ignored) {
            // reported below
        }
        if (Files.exists(root)) {
            System.err.println("holdfast: could not delete " + root);
        }
    }
}
