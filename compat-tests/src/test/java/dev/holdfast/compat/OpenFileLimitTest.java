package dev.holdfast.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/**
 * The engine at its open-file limit: connections beyond it wait in the socket's backlog (no accept loop spinning
 * at 100% CPU, no crash), and once descriptors are free again the engine answers at once.
 */
class OpenFileLimitTest {
    private static final int LIMIT = 300;

    @AutoClose
    private final HoldfastDaemon holdfast = HoldfastDaemon.start();

    @Test
    void beyondItsOpenFileLimitTheEngineWaitsWithoutSpinningAndRecovers() throws Exception {
        String pid = Files.readString(holdfast.runDir().resolve("engine.pid")).strip();
        String before = run("prlimit", "--pid", pid, "--nofile", "--output", "SOFT,HARD", "--noheadings").strip();
        run("prlimit", "--pid", pid, "--nofile=" + LIMIT + ":" + before.split("\\s+")[1]);
        List<SocketChannel> idle = new ArrayList<>();
        try {
            for (int i = 0; i < LIMIT + 50; i++) {
                SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX);
                c.connect(UnixDomainSocketAddress.of(holdfast.socket()));
                idle.add(c);
            }
            Await.until(Duration.ofSeconds(30), () -> openFiles(pid) >= LIMIT - 1, "the engine at its limit");
            long ticks = cpuTicks(pid);
            Thread.sleep(2000); // a measurement window (CPU used over two seconds), not a wait for a condition
            long used = cpuTicks(pid) - ticks;
            assertTrue(used < 50, "the engine spins while it cannot accept: " + used + " ticks of CPU in 2 s");
        } finally {
            for (SocketChannel c : idle) {
                c.close();
            }
            run("prlimit", "--pid", pid, "--nofile=" + before.split("\\s+")[0] + ":" + before.split("\\s+")[1]);
        }
        assertEquals("OK", new EngineHttp(holdfast.socket()).get("/_ping").text(), "answers once descriptors are free");
        holdfast.docker("run", "--rm", "busybox", "true").assertOk();
    }

    private static int openFiles(String pid) {
        try (var fds = Files.list(Path.of("/proc", pid, "fd"))) {
            return (int) fds.count();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static long cpuTicks(String pid) {
        try {
            String stat = Files.readString(Path.of("/proc", pid, "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), String.join(" ", command) + ": " + output);
        return output;
    }
}
