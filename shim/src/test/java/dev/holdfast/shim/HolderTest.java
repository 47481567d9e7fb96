package dev.holdfast.shim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * holdfast-holder with a stand-in engine (test/fake_engine.c): it holds the socket (a connection made while no engine
 * serves waits, it is never refused), replaces a killed engine, hands over on SIGHUP, keeps a standby that takes
 * over at once, and stops cleanly; and all of it under valgrind without a memory error or leak.
 */
@Timeout(120)
class HolderTest {
    private static final Path HOLDER = Path.of(System.getProperty("holdfast.holder", "target/holdfast-holder"));
    private static final Path FAKE_ENGINE = Path.of(System.getProperty("holdfast.fakeEngine", "target/fake-engine"));
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    /** What an engine answers: its pid and the go line the holder gave it. */
    private record Answer(long pid, String go) {}

    @Test
    void killedEnginesAreReplacedAndRestartsHandOver() throws Exception {
        try (Holder holder = Holder.start(dir, List.of())) {
            long first = holder.servingPid();
            assertEquals("rw-rw----", PosixFilePermissions.toString(Files.getPosixFilePermissions(holder.socket)));

            ProcessHandle.of(first).orElseThrow().destroyForcibly();
            // Asked right after the kill: the connection waits in the backlog for the next engine.
            Answer afterKill = holder.ask();
            long second = afterKill.pid();
            assertNotEquals(first, second);
            assertEquals("go", afterKill.go(), "an engine that replaces a dead one is not told of a release");
            Sandbox.waitFor("pid file names the new engine", WAIT, () -> holder.pidFile() == second);

            holder.signal("HUP");
            Sandbox.waitFor("a new engine took over", WAIT, () -> holder.pidFile() != second);
            Answer afterRestart = holder.ask();
            assertEquals(holder.pidFile(), afterRestart.pid());
            assertEquals("go released", afterRestart.go(), "a restart's engine goes after the old one released");
            Sandbox.waitFor("the old engine exited", WAIT, () -> !Sandbox.alive(second));

            holder.signal("TERM");
            assertTrue(holder.process.waitFor(30, TimeUnit.SECONDS));
            assertEquals(0, holder.process.exitValue(), holder.log());
            assertFalse(Files.exists(holder.socket), "the socket it bound is removed");
            assertFalse(Files.exists(holder.pidPath), "the pid file is removed");
        }
    }

    @Test
    void theStandbyTakesOverWhenTheEngineDies() throws Exception {
        try (Holder holder = Holder.start(dir, List.of("--standby"))) {
            long active = holder.servingPid();
            Sandbox.waitFor("a standby engine", WAIT, () -> holder.process.toHandle().children().count() == 2);
            long standby = holder.process.toHandle().children().mapToLong(ProcessHandle::pid)
                    .filter(pid -> pid != active).findFirst().orElseThrow();
            ProcessHandle.of(active).orElseThrow().destroyForcibly();
            assertEquals(new Answer(standby, "go"), holder.ask(), "the standby answers");
            Sandbox.waitFor("a new standby", WAIT, () -> holder.process.toHandle().children().count() == 2);
        }
    }

    @Test
    void noMemoryErrorsOrLeaksUnderValgrind() throws Exception {
        List<String> valgrind = List.of("/usr/bin/valgrind", "--quiet", "--error-exitcode=99", "--leak-check=full",
                "--errors-for-leak-kinds=definite,indirect", "--show-leak-kinds=definite,indirect",
                "--trace-children=no");
        try (Holder holder = Holder.start(dir, List.of("--standby"), valgrind)) {
            long first = holder.servingPid();
            ProcessHandle.of(first).orElseThrow().destroyForcibly();
            long second = holder.askedPid();
            assertNotEquals(first, second);
            holder.signal("HUP");
            Sandbox.waitFor("a new engine took over", WAIT, () -> holder.pidFile() != second);
            holder.signal("TERM");
            assertTrue(holder.process.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, holder.process.exitValue(), holder.log());
        }
    }

    @Test
    void anotherServedSocketIsNotTakenOver() throws Exception {
        try (Holder holder = Holder.start(dir, List.of())) {
            holder.servingPid();
            Process second = new ProcessBuilder(HOLDER.toString(), "--socket", holder.socket.toString(), "--",
                    FAKE_ENGINE.toString()).redirectErrorStream(true).start();
            assertTrue(second.waitFor(30, TimeUnit.SECONDS));
            String out = new String(second.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(1, second.exitValue(), out);
            assertTrue(out.contains("already accepts connections"), out);
            assertTrue(holder.askedPid() > 0, "the first holder still serves");
        }
    }

    /** A running holder with its socket, pid file and log in {@code dir}. */
    private static final class Holder implements AutoCloseable {
        final Process process;
        final Path socket;
        final Path pidPath;
        final Path logPath;

        private Holder(Process process, Path socket, Path pidPath, Path logPath) {
            this.process = process;
            this.socket = socket;
            this.pidPath = pidPath;
            this.logPath = logPath;
        }

        static Holder start(Path dir, List<String> options) throws IOException {
            return start(dir, options, List.of());
        }

        static Holder start(Path dir, List<String> options, List<String> wrapper) throws IOException {
            Path socket = dir.resolve("api.sock");
            Path pid = dir.resolve("engine.pid");
            Path log = dir.resolve("holder.log");
            List<String> command = new ArrayList<>(wrapper);
            command.addAll(List.of(HOLDER.toString(), "--socket", socket.toString(), "--pid-file", pid.toString()));
            command.addAll(options);
            command.addAll(List.of("--", FAKE_ENGINE.toString()));
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
            return new Holder(process, socket, pid, log);
        }

        long pidFile() {
            try {
                return Long.parseLong(Files.readString(pidPath).trim());
            } catch (IOException | NumberFormatException e) {
                return -1;
            }
        }

        /** The pid of the engine that serves, once one does. */
        long servingPid() throws Exception {
            Sandbox.waitFor("the socket", WAIT, () -> Files.exists(socket));
            long pid = askedPid();
            assertEquals(pidFile(), pid, log());
            return pid;
        }

        long askedPid() throws IOException {
            return ask().pid();
        }

        /** Connects and reads the answering engine's "engine <pid> <go line>". */
        Answer ask() throws IOException {
            try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                channel.connect(UnixDomainSocketAddress.of(socket));
                String answer = new String(Sandbox.readAll(channel), StandardCharsets.US_ASCII).trim();
                assertTrue(answer.startsWith("engine "), answer + "\n" + log());
                String[] words = answer.substring("engine ".length()).split(" ", 2);
                return new Answer(Long.parseLong(words[0]), words[1]);
            }
        }

        /** Signals the holder (under valgrind too: valgrind runs the program in its own process). */
        void signal(String name) throws Exception {
            assertEquals(0, new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).start().waitFor());
        }

        String log() {
            try {
                return Files.readString(logPath);
            } catch (IOException e) {
                return "(no log: " + e + ")";
            }
        }

        @Override
        public void close() throws Exception {
            List<ProcessHandle> engines = process.toHandle().descendants().toList();
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
            engines.forEach(ProcessHandle::destroyForcibly);
        }
    }
}
