package dev.holdfast.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Published ports ({@code -p}, {@code -P}): kernel DNAT rules in netavark's chains, so they answer with no daemon in
 * the path: through an engine killed with SIGKILL, a graceful engine restart and a killed supervisor, not one request
 * fails. Requests go to 127.0.0.1 only, each over a fresh connection.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PublishedPortsTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final AtomicInteger NAMES = new AtomicInteger();

    @AutoClose
    private final HoldfastDaemon holdfast = HoldfastDaemon.start();

    @Test
    void publishedPortAnswersWithoutPauseThroughEngineAndSupervisorRestarts() throws Exception {
        String name = name("web");
        int port = Loopback.freePort();
        Path www = site("published " + name);
        docker("run", "-d", "--name", name, "-p", "127.0.0.1:" + port + ":80", "-v", www + ":/www", "busybox",
                "httpd", "-f", "-p", "80", "-h", "/www").assertOk();
        awaitPage(port, "published " + name);

        try (RequestLoop loop = new RequestLoop(port, "published " + name)) {
            loop.awaitMoreSuccesses(20, "before anything happens");

            holdfast.engine("kill");
            loop.awaitMoreSuccesses(20, "while the engine is down after SIGKILL");
            holdfast.engine("start");
            loop.awaitMoreSuccesses(20, "after the engine started again");

            holdfast.engine("restart");
            loop.awaitMoreSuccesses(20, "after a graceful engine restart");

            holdfast.supervisor("kill");
            loop.awaitMoreSuccesses(20, "while the supervisor is down after SIGKILL");
            holdfast.supervisor("start");
            loop.awaitMoreSuccesses(20, "after the supervisor started again");

            loop.stop();
            assertEquals(List.of(), loop.failureMessages(), () -> loop.failures() + " failed requests of "
                    + loop.attempts() + " (" + loop.successes() + " answered)");
            assertTrue(loop.successes() >= 120, () -> "only " + loop.successes() + " answered requests");
            double rate = loop.attempts() / loop.elapsedSeconds();
            assertTrue(rate >= 20, () -> "only " + rate + " requests per second");
        }

        assertEquals("running", docker("inspect", "-f", "{{.State.Status}}", name).assertOk().out());
        assertEquals("80/tcp -> 127.0.0.1:" + port, docker("port", name).assertOk().out());
        assertEquals("127.0.0.1:" + port, docker("port", name, "80/tcp").assertOk().out());
        assertEquals("127.0.0.1:" + port + "->80/tcp",
                portsColumn(name));

        docker("stop", "-t", "1", name).assertOk();
        Await.until(WAIT, () -> Loopback.refuses(port), "127.0.0.1:" + port + " refuses connections after docker stop");
        assertEquals("", docker("port", name).assertOk().out(), "a stopped container publishes nothing");

        String next = name("next");
        Path nextWww = site("taken over by " + next);
        docker("run", "-d", "--name", next, "-p", "127.0.0.1:" + port + ":80", "-v", nextWww + ":/www", "busybox",
                "httpd", "-f", "-p", "80", "-h", "/www").assertOk();
        awaitPage(port, "taken over by " + next);
        docker("rm", "-f", name, next).assertOk();
        Await.until(WAIT, () -> Loopback.refuses(port), "127.0.0.1:" + port + " refuses connections after docker rm -f");
    }

    @Test
    void aHostPortHeldByAnotherProcessIsRefused() throws IOException {
        try (ServerSocket held = new ServerSocket()) {
            held.bind(new InetSocketAddress(Loopback.LOCALHOST, 0));
            int port = held.getLocalPort();
            String name = name("held");
            DockerResult run = docker("run", "-d", "--name", name, "-p", "127.0.0.1:" + port + ":80", "busybox",
                    "httpd", "-f", "-p", "80");
            assertNotEquals(0, run.exitCode(), run::toString);
            assertTrue(run.stderr().contains("address already in use") || run.stderr().contains("port is already allocated"),
                    run::toString);
            assertTrue(running().stream().noneMatch(l -> l.startsWith(name + " ")), "nothing runs");
            // The holder keeps its port: a connection reaches the Java socket, not a container.
            try (var client = new java.net.Socket(Loopback.LOCALHOST, port); var accepted = held.accept()) {
                assertEquals(client.getLocalPort(), accepted.getPort());
            }
            docker("rm", "-f", name).assertOk();
        }
    }

    @Test
    void aSecondContainerOnAPublishedPortGetsPortIsAlreadyAllocated() {
        int port = Loopback.freePort();
        String first = name("first");
        String second = name("second");
        Path www = site("first " + first);
        docker("run", "-d", "--name", first, "-p", "127.0.0.1:" + port + ":80", "-v", www + ":/www", "busybox",
                "httpd", "-f", "-p", "80", "-h", "/www").assertOk();
        awaitPage(port, "first " + first);

        DockerResult run = docker("run", "-d", "--name", second, "-p", "127.0.0.1:" + port + ":80", "busybox",
                "httpd", "-f", "-p", "80");
        assertNotEquals(0, run.exitCode(), run::toString);
        assertTrue(run.stderr().contains("port is already allocated"), run::toString);
        assertTrue(running().stream().noneMatch(l -> l.startsWith(second + " ")), "the second does not run");
        // The first one still answers.
        assertEquals("first " + first + "\n", Loopback.getOrFail(port, "/index.html").body());
        docker("rm", "-f", first, second).assertOk();
    }

    @Test
    void publishAllGivesEachContainerItsOwnHostPort() {
        String one = name("one");
        String two = name("two");
        for (String name : List.of(one, two)) {
            Path www = site("served by " + name);
            docker("run", "-d", "--name", name, "--expose", "80", "-P", "-v", www + ":/www", "busybox", "httpd",
                    "-f", "-p", "80", "-h", "/www").assertOk();
            assertTrue(docker("inspect", "-f", "{{json .Config.ExposedPorts}}", name).assertOk().out()
                    .contains("\"80/tcp\""), "--expose 80 sends ExposedPorts");
        }
        int portOne = publishedPort(one);
        int portTwo = publishedPort(two);
        assertNotEquals(portOne, portTwo);
        awaitPage(portOne, "served by " + one);
        awaitPage(portTwo, "served by " + two);
        String ps = portsColumn(one);
        assertTrue(ps.contains(":" + portOne + "->80/tcp"), ps);
        docker("rm", "-f", one, two).assertOk();
        Await.until(WAIT, () -> Loopback.refuses(portOne) && Loopback.refuses(portTwo), "-P ports released");
    }

    // --- helpers ---------------------------------------------------------------------------------------------------

    private DockerResult docker(String... args) {
        return holdfast.docker(args);
    }

    /** {@code docker ps} as lines of "NAME PORTS". */
    private List<String> running() {
        return docker("ps", "--format", "{{.Names}} {{.Ports}}").assertOk().out().lines().toList();
    }

    /** The PORTS column of {@code docker ps} for the running container {@code name}. */
    private String portsColumn(String name) {
        return running().stream().filter(l -> l.startsWith(name + " ")).map(l -> l.substring(name.length() + 1))
                .findFirst().orElseThrow(() -> new AssertionError(name + " is not in docker ps: " + running()));
    }

    private static String name(String prefix) {
        return "pp-" + prefix + "-" + NAMES.incrementAndGet();
    }

    /** A directory with index.html holding {@code content} and a newline, to serve with busybox httpd. */
    private Path site(String content) {
        try {
            Path dir = Files.createTempDirectory(holdfast.root(), "www-");
            Files.writeString(dir.resolve("index.html"), content + "\n");
            return dir;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Waits until 127.0.0.1:port serves index.html with {@code content} (httpd needs a moment to listen). */
    private static void awaitPage(int port, String content) {
        Await.value(WAIT, () -> Loopback.getOrFail(port, "/index.html"),
                r -> r.status() == 200 && r.body().equals(content + "\n"),
                "127.0.0.1:" + port + " serves \"" + content + "\"");
    }

    /** The host port of 80/tcp published with -P on any address ({@code 0.0.0.0:49153}, maybe also {@code [::]:…}). */
    private int publishedPort(String name) {
        String out = docker("port", name, "80/tcp").assertOk().out();
        String first = out.lines().findFirst().orElseThrow(() -> new AssertionError("docker port printed nothing"));
        assertTrue(first.startsWith("0.0.0.0:"), out);
        return Integer.parseInt(first.substring(first.lastIndexOf(':') + 1));
    }

    /**
     * A GET every 25 ms (40 per second) on a fresh connection, with a 1 s timeout, from a background thread;
     * counts answers with the expected page and keeps what went wrong.
     */
    private static final class RequestLoop implements AutoCloseable {
        private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "request-loop");
            t.setDaemon(true);
            return t;
        });
        private final AtomicInteger successes = new AtomicInteger();
        private final AtomicInteger failures = new AtomicInteger();
        private final AtomicInteger attempts = new AtomicInteger();
        private final Queue<String> messages = new ConcurrentLinkedQueue<>();
        private final long started = System.nanoTime();
        private final AtomicLong stopped = new AtomicLong();

        RequestLoop(int port, String content) {
            timer.scheduleAtFixedRate(() -> {
                attempts.incrementAndGet();
                long t0 = System.nanoTime();
                try {
                    Loopback.Response r = Loopback.get(port, "/index.html", Duration.ofSeconds(1));
                    if (r.status() == 200 && r.body().equals(content + "\n")) {
                        successes.incrementAndGet();
                    } else {
                        fail("answered " + r);
                    }
                } catch (IOException | RuntimeException e) {
                    fail(e + " after " + (System.nanoTime() - t0) / 1_000_000 + " ms");
                }
            }, 0, 25, TimeUnit.MILLISECONDS);
        }

        private void fail(String message) {
            failures.incrementAndGet();
            if (messages.size() < 20) {
                messages.add(java.time.Instant.now() + " " + message);
            }
        }

        /** Waits until {@code more} further requests were answered (fails when any request failed meanwhile). */
        void awaitMoreSuccesses(int more, String when) {
            int target = successes.get() + more;
            Await.until(Duration.ofSeconds(30), () -> successes.get() >= target || failures.get() > 0,
                    more + " more answered requests " + when);
            assertEquals(List.of(), failureMessages(), "requests failed " + when);
        }

        void stop() {
            timer.shutdown();
            try {
                assertTrue(timer.awaitTermination(10, TimeUnit.SECONDS), "the request loop ends");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
            stopped.compareAndSet(0, System.nanoTime());
        }

        int successes() {
            return successes.get();
        }

        int failures() {
            return failures.get();
        }

        int attempts() {
            return attempts.get();
        }

        double elapsedSeconds() {
            long end = stopped.get() == 0 ? System.nanoTime() : stopped.get();
            return (end - started) / 1e9;
        }

        List<String> failureMessages() {
            return List.copyOf(messages);
        }

        @Override
        public void close() {
            timer.shutdownNow();
        }
    }
}
