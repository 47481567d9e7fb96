package dev.holdfast.bench.measure;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A client that sends requests at a fixed rate, each on its own virtual thread, whatever became of the earlier ones
 * (several are in flight while some wait), and keeps every request's outcome: the client of the measurements that
 * take a daemon down and bring it back.
 */
final class PacedRequests {
    /** How a request ended. */
    enum Outcome {
        OK,
        /** no connection: refused, or no socket to connect to */
        UNREACHABLE,
        /** connected, but no good answer */
        FAILED
    }

    /** What one request got. */
    record Answer(Outcome outcome, String why) {
        static final Answer OK = new Answer(Outcome.OK, null);

        static Answer unreachable(String why) {
            return new Answer(Outcome.UNREACHABLE, why);
        }

        static Answer failed(String why) {
            return new Answer(Outcome.FAILED, why);
        }
    }

    /** One request: when it was sent and when it ended (System.nanoTime()), and what it got. */
    record Attempt(long sent, long done, Answer answer) {}

    /** Sends one request and waits for its answer. */
    @FunctionalInterface
    interface Request {
        Answer send();
    }

    private final Request request;
    private final long drainMs;
    private final List<Attempt> attempts = new ArrayList<>();
    private ScheduledExecutorService ticker;
    private ExecutorService workers;
    private long started;
    private long stopped;
    private long sent;

    /** {@code drainMs}: how long {@link #stop} waits for the requests still in flight. */
    PacedRequests(Request request, long drainMs) {
        this.request = request;
        this.drainMs = drainMs;
    }

    void start(int perSecond) {
        ticker = Executors.newSingleThreadScheduledExecutor();
        workers = Executors.newVirtualThreadPerTaskExecutor();
        started = System.nanoTime();
        ticker.scheduleAtFixedRate(() -> {
            synchronized (this) {
                sent++;
            }
            workers.submit(this::once);
        }, 0, 1_000_000L / perSecond, TimeUnit.MICROSECONDS);
    }

    /** Sends no more requests, waits for those in flight. */
    void stop() {
        if (ticker == null) {
            return;
        }
        ticker.shutdownNow();
        stopped = System.nanoTime();
        workers.shutdown();
        try {
            workers.awaitTermination(drainMs, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        ticker = null;
    }

    private void once() {
        long t0 = System.nanoTime();
        Answer a = request.send();
        long t1 = System.nanoTime();
        synchronized (this) {
            attempts.add(new Attempt(t0, t1, a));
        }
    }

    /** The requests that ended, in the order they ended. */
    synchronized List<Attempt> attempts() {
        return List.copyOf(attempts);
    }

    synchronized long sent() {
        return sent;
    }

    /** Seconds between start and stop. */
    double seconds() {
        return Math.max(1e-9, (stopped - started) / 1e9);
    }

    long stoppedAt() {
        return stopped;
    }
}
