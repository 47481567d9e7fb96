package dev.holdfast.compat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * A client that keeps calling the engine at a fixed rate while a test restarts it: {@code GET /containers/json} on a
 * fresh connection, and every {@code cliEvery}th time {@code docker ps} instead. It counts what a user would see:
 * answers, refused connections, failed requests, and the longest wait. A request the engine had accepted when it was
 * killed is cut; like Go's HTTP client with an idempotent request, the loop retries such a request once (on a new
 * connection) and counts it as {@link Counts#retried}.
 */
final class RequestLoop implements AutoCloseable {
    private final Path socket;
    private final Supplier<DockerResult> dockerPs;
    private final int cliEvery;
    private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
    private final AtomicLong ticks = new AtomicLong();
    private final AtomicLong answered = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong retried = new AtomicLong();
    private final AtomicLong longestMillis = new AtomicLong();
    private final List<String> failures = new CopyOnWriteArrayList<>();

    private RequestLoop(Path socket, Supplier<DockerResult> dockerPs, int cliEvery) {
        this.socket = socket;
        this.dockerPs = dockerPs;
        this.cliEvery = cliEvery;
    }

    /** Starts {@code perSecond} calls a second, each on a virtual thread of its own (a slow answer delays none). */
    static RequestLoop start(Path socket, Supplier<DockerResult> dockerPs, int perSecond, int cliEvery) {
        RequestLoop loop = new RequestLoop(socket, dockerPs, cliEvery);
        loop.ticker.scheduleAtFixedRate(() -> Thread.ofVirtual().start(loop::once), 0, 1_000_000 / perSecond,
                TimeUnit.MICROSECONDS);
        return loop;
    }

    record Counts(long answered, long refused, long retried, List<String> failures, long longestMillis) {}

    /** What happened since the last call (or the start), and the counters reset. */
    synchronized Counts cut() {
        Counts counts = new Counts(answered.getAndSet(0), refused.getAndSet(0), retried.getAndSet(0),
                List.copyOf(failures), longestMillis.getAndSet(0));
        failures.clear();
        return counts;
    }

    long answered() {
        return answered.get();
    }

    private void once() {
        long start = System.nanoTime();
        boolean cli = ticks.incrementAndGet() % cliEvery == 0;
        String failure = cli ? viaCli() : viaSocket();
        longestMillis.accumulateAndGet((System.nanoTime() - start) / 1_000_000, Math::max);
        if (failure == null) {
            answered.incrementAndGet();
        } else {
            failures.add(failure);
        }
    }

    private String viaCli() {
        DockerResult ps = dockerPs.get();
        if (!ps.ok() && cut(ps.stderr())) {
            retried.incrementAndGet();
            ps = dockerPs.get();
        }
        return ps.ok() ? null : "docker ps: " + ps;
    }

    private static boolean cut(String stderr) {
        return stderr.contains("EOF") || stderr.contains("connection reset");
    }

    private String viaSocket() {
        try {
            String answer = get();
            if (answer.isEmpty()) {
                retried.incrementAndGet();
                answer = get();
            }
            return answer.startsWith("HTTP/1.1 200 ") ? null : "GET /containers/json: " + firstLine(answer);
        } catch (ConnectException e) {
            refused.incrementAndGet();
            return "connection refused: " + e.getMessage();
        } catch (IOException e) {
            return "GET /containers/json: " + e;
        }
    }

    /** The whole answer, empty when the connection closed before any byte of it. */
    private String get() throws IOException {
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(socket));
            channel.write(ByteBuffer.wrap(
                    "GET /containers/json HTTP/1.1\r\nHost: d\r\nConnection: close\r\n\r\n"
                            .getBytes(StandardCharsets.US_ASCII)));
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            ByteBuffer buffer = ByteBuffer.allocate(16 * 1024);
            try {
                while (channel.read(buffer) >= 0) {
                    answer.write(buffer.array(), 0, buffer.position());
                    buffer.clear();
                }
            } catch (IOException reset) {
                if (answer.size() > 0) {
                    throw reset;
                }
            }
            return answer.toString(StandardCharsets.ISO_8859_1);
        }
    }

    private static String firstLine(String answer) {
        int end = answer.indexOf('\r');
        return end < 0 ? answer : answer.substring(0, end);
    }

    @Override
    public void close() throws InterruptedException {
        ticker.shutdownNow();
        ticker.awaitTermination(10, TimeUnit.SECONDS);
    }
}
