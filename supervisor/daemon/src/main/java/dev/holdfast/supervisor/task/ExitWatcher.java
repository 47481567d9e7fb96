package dev.holdfast.supervisor.task;

import dev.holdfast.supervisor.bundle.ExitRecord;
import dev.holdfast.supervisor.shim.ShimConnection;
import java.io.IOException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

/**
 * One waiter per live task: a virtual thread holding a {@code wait} request on the task's shim. When the shim
 * answers, or the connection drops and exit.json exists, the task has exited. When the connection drops and the
 * shim is gone without exit.json, the task is lost. While the shim lives, a dropped connection is retried.
 */
public final class ExitWatcher implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ExitWatcher.class.getName());
    private static final long MIN_BACKOFF_MS = 50;
    private static final long MAX_BACKOFF_MS = 2000;

    /** Where the outcome goes. */
    public interface Sink {
        void exited(TaskRecord task, ExitRecord exit);

        void lost(TaskRecord task);
    }

    private final Sink sink;
    private final Map<String, ShimConnection> waiting = new ConcurrentHashMap<>();
    private volatile boolean closed;

    public ExitWatcher(Sink sink) {
        this.sink = sink;
    }

    /** Starts waiting for {@code task} to exit. */
    public void watch(TaskRecord task) {
        ShimConnection conn = new ShimConnection(task.shim().socket());
        if (closed || waiting.putIfAbsent(task.id(), conn) != null) {
            return;
        }
        Thread.ofVirtual().name("wait-" + task.id()).start(() -> {
            try {
                run(task, conn);
            } catch (RuntimeException e) {
                LOG.severe("task " + task.id() + ": waiter failed: " + e);
            } finally {
                waiting.remove(task.id(), conn);
            }
        });
    }

    /** Stops waiting for {@code task} (it is being deleted). */
    public void forget(TaskRecord task) {
        ShimConnection conn = waiting.remove(task.id());
        if (conn != null) {
            conn.close();
        }
    }

    /** Stops all waiters; the shims are left alone. */
    @Override
    public void close() {
        closed = true;
        waiting.values().forEach(ShimConnection::close);
        waiting.clear();
    }

    private void run(TaskRecord task, ShimConnection conn) {
        long backoff = MIN_BACKOFF_MS;
        while (!closed && !task.isStopped()) {
            try {
                ExitRecord exit = conn.awaitExit().toExit();
                sink.exited(task, exit);
                return;
            } catch (IOException e) {
                if (closed || !waiting.containsKey(task.id())) {
                    return;
                }
                Optional<ExitRecord> exit = readExit(task);
                if (exit.isPresent()) {
                    sink.exited(task, exit.get());
                    return;
                }
                if (!task.isShimAlive()) {
                    // The shim writes exit.json before it exits: look once more, then it is lost.
                    exit = readExit(task);
                    if (exit.isPresent()) {
                        sink.exited(task, exit.get());
                    } else {
                        sink.lost(task);
                    }
                    return;
                }
                LOG.fine("task " + task.id() + ": wait on shim failed (" + e.getMessage() + "), retrying");
            }
            try {
                Thread.sleep(backoff);
            } catch (InterruptedException e) {
                return;
            }
            backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
        }
    }

    private static Optional<ExitRecord> readExit(TaskRecord task) {
        try {
            return task.dir().readExit();
        } catch (IOException e) {
            LOG.warning("task " + task.id() + ": " + e.getMessage());
            return Optional.empty();
        }
    }
}
