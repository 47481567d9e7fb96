package dev.holdfast.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.holdfast.engine.config.EngineConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The whole stack for real: the supervisor jar, the C shim and runc as separate processes, this engine in-process,
 * driven by the docker CLI. Skipped (not failed) where it cannot run: not root, no runc or docker, artifacts not
 * built ({@code mvn -o -q install -DskipTests} at the root), no busybox image ({@code scripts/build-busybox-image}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DockerCliTest {
    private static final Path HOME = Path.of(System.getProperty("user.dir")).getParent();
    private static final Path SUPERVISOR_JAR = HOME.resolve("supervisor/daemon/target/holdfast-supervisor.jar");
    private static final Path SHIM = HOME.resolve("shim/target/holdfast-shim");
    private static final Path BUSYBOX_TAR = HOME.resolve("build/busybox.tar");
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private Path root;
    private Path runDir;
    private Process supervisor;
    private Engine engine;
    private String dockerHost;

    @BeforeAll
    void startDaemons() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root for runc");
        assumeTrue(onPath("runc") && onPath("docker"), "needs runc and the docker CLI on PATH");
        assumeTrue(Files.isRegularFile(SUPERVISOR_JAR) && Files.isExecutable(SHIM),
                "needs the supervisor jar and the shim: mvn -o -q install -DskipTests");
        assumeTrue(Files.isRegularFile(BUSYBOX_TAR), "needs build/busybox.tar: scripts/build-busybox-image");

        // Short: a shim socket is <run>/shim/<64 hex>.sock, and sun_path holds 107 bytes.
        root = Files.createDirectory(Path.of("/tmp", "hfc" + Long.toHexString(System.nanoTime() & 0xffffff)));
        runDir = root.resolve("run");
        Path bin = Files.createDirectories(root.resolve("bin"));
        // Private copies: other builds may rewrite target/ while this test runs.
        Files.copy(SUPERVISOR_JAR, bin.resolve("supervisor.jar"));
        Files.copy(SHIM, bin.resolve("holdfast-shim"));
        bin.resolve("holdfast-shim").toFile().setExecutable(true);
        Path config = root.resolve("config.toml");
        // A bridge, subnets and resolvers of its own: never the default instance's, nor another test's, nor a DNS
        // server past loopback.
        int seed = root.getFileName().toString().hashCode() & 0x7fffffff;
        Files.writeString(config, """
                [paths]
                data = "%s"
                run = "%s"
                [supervisor]
                shim = "%s"
                cgroup_parent = "/%s"
                [network]
                bridge = "%s"
                subnet = "10.%d.%d.0/24"
                pool = "10.%d.%d.0/19"
                dns = "127.0.0.9"
                """.formatted(root.resolve("data"), runDir, bin.resolve("holdfast-shim"), root.getFileName(),
                root.getFileName(), 200 + seed % 56, (seed >> 8) % 256, 100 + (seed >> 16) % 100, (seed % 8) * 32));

        supervisor = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
                bin.resolve("supervisor.jar").toString(), "--config", config.toString())
                .redirectErrorStream(true)
                .redirectOutput(root.resolve("supervisor.log").toFile())
                .start();
        engine = Engine.start(EngineConfig.load(config));
        dockerHost = "unix://" + runDir.resolve("holdfast.sock");
        engine.firstReconcile().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        docker("load", "-i", BUSYBOX_TAR.toString()).assertExit(0);
    }

    @AfterAll
    void stopDaemons() throws Exception {
        if (root == null) {
            return;
        }
        try {
            if (engine != null) {
                List<String> ids = docker("ps", "-aq").out().lines().filter(l -> !l.isBlank()).toList();
                if (!ids.isEmpty()) {
                    List<String> rm = new ArrayList<>(List.of("rm", "-f"));
                    rm.addAll(ids);
                    docker(rm.toArray(String[]::new));
                }
                engine.close();
            }
        } finally {
            if (supervisor != null) {
                supervisor.destroy();
                if (!supervisor.waitFor(30, TimeUnit.SECONDS)) {
                    supervisor.destroyForcibly().waitFor();
                }
            }
            cleanUpRuncAndCgroups();
            deleteTree(root);
        }
    }

    @Test
    void runPrintsTheOutputAndRemovesTheContainer() throws Exception {
        Result run = docker("run", "--rm", "--name", "hello", "busybox", "echo", "hello");
        run.assertExit(0);
        assertEquals("hello\n", run.out());
        assertFalse(docker("ps", "-a", "--format", "{{.Names}}").out().contains("hello"));
    }

    @Test
    void runReturnsTheContainersExitCode() throws Exception {
        docker("run", "--name", "fortytwo", "busybox", "sh", "-c", "echo first; exit 42").assertExit(42);
        assertEquals("first\n", docker("logs", "fortytwo").out());
        assertTrue(docker("ps", "-a", "--filter", "name=fortytwo", "--format", "{{.Status}}").out()
                .startsWith("Exited (42)"));
        docker("rm", "fortytwo").assertExit(0);
    }

    @Test
    void aMissingCommandIs127LikeDocker() throws Exception {
        Result run = docker("run", "--rm", "busybox", "no-such-command");
        run.assertExit(127);
        assertTrue(run.err().contains("executable file not found"), run.err());
    }

    @Test
    void detachedPsLogsStopRm() throws Exception {
        String id = docker("run", "-d", "--name", "daemon", "busybox", "sh", "-c",
                "echo out; echo err >&2; while true; do sleep 1; done").assertExit(0).out().trim();
        assertEquals(64, id.length());
        assertTrue(docker("ps", "--format", "{{.Names}} {{.Status}}").out().contains("daemon Up"));
        Result logs = awaitDocker(r -> r.out().equals("out\n") && r.err().equals("err\n"), "logs", "daemon");
        assertEquals("out\n", logs.out());
        assertEquals("err\n", docker("logs", "--tail", "1", "daemon").err());
        String stamped = docker("logs", "-t", "daemon").out();
        assertTrue(stamped.matches("\\d{4}-\\d\\d-\\d\\dT[\\d:.]{18}Z out\n"), stamped);

        // sh as pid 1 ignores SIGTERM: the stop ends with SIGKILL after the timeout, as with Docker.
        docker("stop", "-t", "1", "daemon").assertExit(0);
        String status = docker("ps", "-a", "--filter", "name=daemon", "--format", "{{.Status}}").out();
        assertTrue(status.startsWith("Exited (137)"), status);
        assertEquals("137", docker("inspect", "-f", "{{.State.ExitCode}}", "daemon").out().trim());
        docker("rm", "daemon").assertExit(0);
        assertTrue(docker("container", "inspect", "daemon").err().contains("No such container: daemon"));
    }

    @Test
    void badRequestsGetDockersErrors() throws Exception {
        String malformed = http("POST", "/v1.47/containers/create?name=broken", "{\"Image\": busybox");
        assertTrue(malformed.startsWith("HTTP/1.1 400"), malformed);
        assertTrue(malformed.contains("\"message\""), malformed);
        assertFalse(docker("ps", "-a", "--format", "{{.Names}}").out().contains("broken"));

        Result missing = docker("stop", "nosuch");
        assertTrue(missing.err().contains("No such container: nosuch"), missing.err());
        assertTrue(http("GET", "/v1.47/containers/nosuch/json", null).startsWith("HTTP/1.1 404"));

        docker("create", "--name", "dup", "busybox", "true").assertExit(0);
        Result dup = docker("create", "--name", "dup", "busybox", "true");
        assertTrue(dup.err().contains("Conflict. The container name \"/dup\" is already in use"), dup.err());
        docker("rm", "dup").assertExit(0);

        assertTrue(docker("create", "--name", "bad name", "busybox").err().contains("Invalid container name"));
        Result kill = docker("kill", docker("create", "busybox", "true").out().trim());
        assertTrue(kill.err().contains("is not running"), kill.err());
    }

    @Test
    void renameAndPrune() throws Exception {
        docker("create", "--name", "before", "--label", "prune=yes", "busybox", "true").assertExit(0);
        docker("create", "--name", "keeper", "busybox", "true").assertExit(0);
        docker("rename", "before", "after").assertExit(0);
        assertTrue(docker("container", "inspect", "before").err().contains("No such container"));
        assertEquals("/after", docker("inspect", "-f", "{{.Name}}", "after").out().trim());
        Result prune = docker("container", "prune", "-f", "--filter", "label=prune=yes");
        prune.assertExit(0);
        assertTrue(prune.out().contains("Deleted Containers:"), prune.out());
        assertTrue(docker("container", "inspect", "after").err().contains("No such container"));
        docker("rm", "keeper").assertExit(0);
    }

    @Test
    void infoPrintsWithoutErrors() throws Exception {
        Result info = docker("info");
        info.assertExit(0);
        assertTrue(info.out().contains("Server Version: "), info.out());
        assertFalse(info.err().contains("ERROR"), info.err());
    }

    // ---- helpers --------------------------------------------------------------------------------------------------

    record Result(int exit, String out, String err) {
        Result assertExit(int expected) {
            assertEquals(expected, exit, () -> "exit code; stdout: " + out + " stderr: " + err);
            return this;
        }
    }

    private Result docker(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("docker"));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().put("DOCKER_HOST", dockerHost);
        Process process = builder.start();
        process.getOutputStream().close();
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(process.getInputStream()));
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(process.getErrorStream()));
        if (!process.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            process.destroyForcibly();
            fail("docker " + String.join(" ", args) + " did not finish within " + TIMEOUT);
        }
        return new Result(process.exitValue(), out.get(), err.get());
    }

    /** Repeats a docker command until its result satisfies {@code done} (output that arrives asynchronously). */
    private Result awaitDocker(Predicate<Result> done, String... args) throws Exception {
        Instant deadline = Instant.now().plus(TIMEOUT);
        while (true) {
            Result result = docker(args);
            if (done.test(result)) {
                return result;
            }
            if (Instant.now().isAfter(deadline)) {
                fail("docker " + String.join(" ", args) + " never gave the expected result; last: " + result);
            }
            LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
        }
    }

    /** One raw HTTP/1.1 request on the engine socket; returns the whole response. */
    private String http(String method, String path, String body) throws IOException {
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(runDir.resolve("holdfast.sock")));
            byte[] content = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
            String head = method + " " + path + " HTTP/1.1\r\nHost: docker\r\nConnection: close\r\n"
                    + (body == null ? "" : "Content-Type: application/json\r\n")
                    + "Content-Length: " + content.length + "\r\n\r\n";
            channel.write(ByteBuffer.wrap(head.getBytes(StandardCharsets.US_ASCII)));
            channel.write(ByteBuffer.wrap(content));
            ByteArrayOutputStream response = new ByteArrayOutputStream();
            ByteBuffer buffer = ByteBuffer.allocate(8192);
            while (channel.read(buffer) > 0) {
                response.write(buffer.array(), 0, buffer.position());
                buffer.clear();
            }
            return response.toString(StandardCharsets.UTF_8);
        }
    }

    private static String read(InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "<" + e.getMessage() + ">";
        }
    }

    private static boolean onPath(String program) {
        return Stream.of(System.getenv("PATH").split(":")).anyMatch(d -> Files.isExecutable(Path.of(d, program)));
    }

    /** Whatever a failed run left: runc state under our root, and our cgroups. */
    private void cleanUpRuncAndCgroups() throws Exception {
        Path runcRoot = runDir.resolve("runc");
        if (Files.isDirectory(runcRoot)) {
            try (Stream<Path> states = Files.list(runcRoot)) {
                for (Path state : states.toList()) {
                    new ProcessBuilder("runc", "--root", runcRoot.toString(), "delete", "--force",
                            state.getFileName().toString()).redirectErrorStream(true).start().waitFor();
                }
            }
        }
        Path cgroups = Path.of("/sys/fs/cgroup");
        if (Files.isDirectory(cgroups)) {
            try (Stream<Path> controllers = Files.list(cgroups)) {
                for (Path controller : controllers.toList()) {
                    Path ours = controller.resolve(root.getFileName().toString());
                    if (Files.isDirectory(ours)) {
                        // cgroupfs: directories are removed with rmdir; their control files go with them.
                        try (Stream<Path> dirs = Files.walk(ours)) {
                            for (Path dir : dirs.filter(Files::isDirectory).sorted(Comparator.reverseOrder()).toList()) {
                                Files.deleteIfExists(dir);
                            }
                        } catch (IOException e) {
                            // A cgroup that still has processes; runc delete above should have emptied it.
                        }
                    }
                }
            }
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
