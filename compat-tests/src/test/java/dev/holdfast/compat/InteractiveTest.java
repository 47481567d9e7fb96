package dev.holdfast.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * stdin, tty, attach (with detach keys), resize and exec, driven through the real docker CLI. One instance for the
 * class (its start and stop took longer than the tests); each test's containers are removed after it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class InteractiveTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @AutoClose
    private final HoldfastDaemon holdfast = HoldfastDaemon.start();

    @AfterEach
    void removeContainers() {
        holdfast.removeAllContainers().ifPresent(failed -> fail("removing the test's containers: " + failed));
    }

    @Test
    void pipedStdinReachesTheContainer() {
        DockerResult r = holdfast.dockerWithInput("data\n".getBytes(StandardCharsets.UTF_8),
                "run", "-i", "--rm", "busybox", "cat").assertOk();
        assertEquals("data", r.out());
    }

    @Test
    void ttyContainerHasAPseudoTerminal() {
        DockerResult r = holdfast.docker("run", "-t", "--rm", "busybox", "tty").assertOk();
        assertTrue(r.out().startsWith("/dev/pts/"), r.toString());
        DockerResult term = holdfast.docker("run", "-t", "--rm", "busybox", "sh", "-c", "echo $TERM").assertOk();
        assertEquals("xterm", term.out().strip());
    }

    @Test
    void interactiveShellThroughAPty() {
        try (Pty pty = Pty.start(holdfast, "run -it --rm busybox sh")) {
            // Typed at once: stdin that arrives before the container starts is kept for it.
            pty.type("echo hi-$((40+2)); exit 3\n");
            pty.await("hi-42");
            assertEquals(3, pty.awaitExit());
        }
    }

    @Test
    void execOutputExitCodeAndOptions() {
        holdfast.docker("run", "-d", "--name", "cx", "-e", "FROM_RUN=r", "busybox", "sleep", "1000").assertOk();
        assertEquals("x", holdfast.docker("exec", "cx", "echo", "x").assertOk().out());
        holdfast.docker("exec", "cx", "sh", "-c", "exit 5").assertExit(5);
        assertEquals("r b", holdfast.docker("exec", "-e", "FROM_EXEC=b", "cx", "sh", "-c",
                "echo $FROM_RUN $FROM_EXEC").assertOk().out());
        assertEquals("/tmp", holdfast.docker("exec", "-w", "/tmp", "cx", "pwd").assertOk().out());
        assertEquals("65534", holdfast.docker("exec", "-u", "nobody", "cx", "id", "-u").assertOk().out());
        DockerResult err = holdfast.docker("exec", "cx", "sh", "-c", "echo oops >&2");
        assertEquals("oops", err.stderr().strip());
        holdfast.docker("exec", "cx", "no-such-command").assertExit(126);
        assertEquals("piped", holdfast.dockerWithInput("piped\n".getBytes(StandardCharsets.UTF_8),
                "exec", "-i", "cx", "cat").assertOk().out());
        holdfast.docker("exec", "-d", "cx", "sh", "-c", "echo detached > /tmp/d").assertOk();
        Await.until(WAIT, () -> holdfast.docker("exec", "cx", "cat", "/tmp/d").out().equals("detached"),
                "the detached exec wrote its file");
        assertTrue(holdfast.docker("exec", "-t", "cx", "tty").assertOk().out().startsWith("/dev/pts/"));
        holdfast.docker("stop", "-t", "0", "cx").assertOk();
        DockerResult stopped = holdfast.docker("exec", "cx", "true");
        assertEquals(1, stopped.exitCode(), stopped.toString());
        assertTrue(stopped.stderr().contains("is not running"), stopped.toString());
    }

    @Test
    void execFramingInspectAndPrivilege() {
        holdfast.docker("run", "-d", "--name", "cx", "busybox", "sleep", "1000").assertOk();
        assertEquals("firstsecond", holdfast.docker("exec", "-t", "cx", "sh", "-c", "printf first; echo second")
                .assertOk().out(), "a tty exec's output is whole, from its first byte");

        // As dockerd: the start's Tty decides the framing, whatever the exec's own terminal.
        EngineHttp http = new EngineHttp(holdfast.socket());
        String raw = createExec(http, "cx", "{\"Cmd\":[\"printf\",\"hello\"],\"Tty\":true,\"AttachStdout\":true}");
        assertEquals("hello", http.post("/v1.47/exec/" + raw + "/start", "application/json", "{\"Tty\":true}").text());
        String framed = createExec(http, "cx", "{\"Cmd\":[\"printf\",\"hello\"],\"Tty\":true,\"AttachStdout\":true}");
        byte[] body = http.post("/v1.47/exec/" + framed + "/start", "application/json", "{\"Tty\":false}").body();
        assertEquals(List.of(1, 0, 0, 0, 0, 0, 0, 5), header(body), "one stdout frame of 5 bytes");
        assertEquals("hello", new String(body, 8, body.length - 8, StandardCharsets.UTF_8));

        var inspect = http.get("/v1.47/exec/" + raw + "/json").json();
        assertEquals(raw, inspect.path("ID").asText());
        assertEquals(0, inspect.path("ExitCode").asInt(-1));
        assertEquals(false, inspect.path("Running").asBoolean(true));
        assertEquals(true, inspect.path("ProcessConfig").path("tty").asBoolean());
        assertEquals("printf", inspect.path("ProcessConfig").path("entrypoint").asText());
        assertEquals("[\"hello\"]", inspect.path("ProcessConfig").path("arguments").toString());
        assertEquals(true, inspect.path("OpenStdout").asBoolean());
        assertEquals(false, inspect.path("CanRemove").asBoolean(true));

        assertEquals("null", holdfast.docker("inspect", "-f", "{{json .ExecIDs}}", "cx").assertOk().out(),
                "no exec left running");
        holdfast.docker("exec", "-d", "cx", "sleep", "1000").assertOk();
        assertTrue(holdfast.docker("inspect", "-f", "{{json .ExecIDs}}", "cx").assertOk().out().matches(
                "\\[\"[0-9a-f]{64}\"\\]"), "the running exec is listed");

        long plain = capEff(holdfast.docker("exec", "cx", "grep", "CapEff", "/proc/self/status").assertOk().out());
        long privileged = capEff(holdfast.docker("exec", "--privileged", "cx", "grep", "CapEff", "/proc/self/status")
                .assertOk().out());
        long sysAdmin = 1L << 21;
        assertEquals(0, plain & sysAdmin, "the container's default set has no CAP_SYS_ADMIN");
        assertEquals(sysAdmin, privileged & sysAdmin, "a privileged exec has every capability");
    }

    private static String createExec(EngineHttp http, String container, String config) {
        EngineHttp.Response created = http.post("/v1.47/containers/" + container + "/exec", "application/json", config);
        assertEquals(201, created.status(), created.toString());
        return created.json().path("Id").asText();
    }

    private static List<Integer> header(byte[] body) {
        assertTrue(body.length >= 8, "a frame header: " + body.length + " bytes");
        List<Integer> h = new java.util.ArrayList<>();
        for (int i = 0; i < 8; i++) {
            h.add(body[i] & 0xff);
        }
        return h;
    }

    /** The mask of a {@code CapEff:\t<hex>} line. */
    private static long capEff(String line) {
        return Long.parseUnsignedLong(line.substring(line.indexOf(':') + 1).strip(), 16);
    }

    @Test
    void attachAndDetachLeavesTheContainerRunning() {
        holdfast.docker("run", "-d", "-it", "--name", "ax", "busybox", "sh").assertOk();
        try (Pty pty = Pty.start(holdfast, "attach ax")) {
            pty.type("echo attached-$((1+1))\n");
            pty.await("attached-2");
            pty.type("\u0010\u0011");
            pty.awaitExit();
            assertTrue(pty.output().contains("read escape sequence"), pty.output());
        }
        assertEquals("true", holdfast.docker("inspect", "-f", "{{.State.Running}}", "ax").assertOk().out());
    }

    @Test
    void execAndAttachAfterTheEngineWasKilled() {
        holdfast.docker("run", "-d", "-i", "--name", "kx", "busybox", "sh", "-c", "read line; echo got $line")
                .assertOk();
        holdfast.engine("kill");
        holdfast.engine("start");
        assertEquals("adopted", holdfast.docker("exec", "kx", "echo", "adopted").assertOk().out());
        DockerResult attached = holdfast.dockerWithInput("hello\n".getBytes(StandardCharsets.UTF_8), "attach", "kx");
        assertEquals("got hello", attached.out(), attached.toString());
        assertEquals("0", holdfast.docker("wait", "kx").assertOk().out());
    }

    /** A docker command with a terminal: util-linux {@code script} gives it a pty and relays our bytes. */
    static final class Pty implements AutoCloseable {
        private final Process process;
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private final OutputStream in;

        private Pty(Process process) {
            this.process = process;
            this.in = process.getOutputStream();
            Thread.ofVirtual().start(() -> {
                byte[] buffer = new byte[4096];
                try (InputStream stream = process.getInputStream()) {
                    int n;
                    while ((n = stream.read(buffer)) >= 0) {
                        synchronized (out) {
                            out.write(buffer, 0, n);
                        }
                    }
                } catch (IOException ignored) {
                    // ended
                }
            });
        }

        static Pty start(HoldfastDaemon holdfast, String dockerArgs) {
            ProcessBuilder builder = new ProcessBuilder(List.of("script", "-qec",
                    System.getProperty("holdfast.docker", "docker") + " " + dockerArgs, "/dev/null"));
            builder.environment().put("DOCKER_HOST", holdfast.dockerHost());
            builder.environment().put("DOCKER_CLI_HINTS", "false");
            builder.redirectErrorStream(true);
            try {
                return new Pty(builder.start());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        String output() {
            synchronized (out) {
                return out.toString(StandardCharsets.UTF_8);
            }
        }

        void await(String text) {
            Await.until(WAIT, () -> output().contains(text), "'" + text + "' in the terminal; so far: " + output());
        }

        void type(String text) {
            try {
                in.write(text.getBytes(StandardCharsets.UTF_8));
                in.flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        int awaitExit() {
            try {
                if (!process.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)) {
                    throw new AssertionError("still running; output: " + output());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
            return process.exitValue();
        }

        @Override
        public void close() {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
    }
}
