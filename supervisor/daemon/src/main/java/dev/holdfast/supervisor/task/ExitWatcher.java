package dev.holdfast.supervisor.task;

import dev.holdfast.supervisor.bundle.ExitRecord;
import dev.holdfast.supervisor.shim.ShimConnection;
import java.io.IOException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

/**
 * One waiter per live process (a task's init or an exec): a virtual thread holding a {@code wait} request on its
 * shim. When the shim answers, or the connection drops and exit.json exists, the process has exited. When the
 * connection drops and the shim is gone without exit.json, the process is lost. While the shim lives, a dropped
 * connection is retried.
 */
public final class ExitWatcher implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ExitWatcher.class.getName());
    private static final long MIN_BACKOFF_MS = 50;
    private static final long MAX_BACKOFF_MS = 2000;

    /** Where the outcome goes. */
    public interface Sink {
        void exited(ProcessRecord process, ExitRecord exit);

        void lost(ProcessRecord process);
    }

    private final Sink sink;
    private final Map<String, ShimConnection> waiting = new ConcurrentHashMap<>();
    private volatile boolean closed;

    public ExitWatcher(Sink sink) {
        this.sink = sink;
    }

    /** Starts waiting for {@code process} to exit. */
    public void watch(ProcessRecord process) {
        ShimConnection conn = new ShimConnection(process.shim().socket());
        String key = key(process);
        if (closed || waiting.putIfAbsent(key, conn) != null) {
            return;
        }
        Thread.ofVirtual().name("wait-" + key).start(() -> {
            try {
                run(process, key, conn);
            } catch (RuntimeException e) {
                LOG.severe(process.describe() + ": waiter failed: " + e);
            } finally {
                waiting.remove(key, conn);
            }
        });
    }

    /** Stops waiting for {@code process} (it is being deleted). */
    public void forget(ProcessRecord process) {
        ShimConnection conn = waiting.remove(key(process));
        if (conn != null) {
            conn.close();
        }
    }

    private static String key(ProcessRecord process) {
        return process.isExec() ? process.id() + "/" + process.execId() : process.id();
    }

    /** Stops all waiters; the shims are left alone. */
    @Override
    public void close() {
        closed = true;
        waiting.values().forEach(ShimConnection::close);
        waiting.clear();
    }

    private void run(ProcessRecord task, String key, ShimConnection conn) {
        long backoff = MIN_BACKOFF_MS;
        while (!closed && !task.isStopped()) {
            try {
                ExitRecord exit = conn.awaitExit().toExit();
                sink.exited(task, exit);
                return;
            } catch (IOException e) {
                if (closed || !waiting.containsKey(key)) {
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
                LOG.fine(task.describe() + ": wait on shim failed (" + e.getMessage() + "), retrying");
            }
            try {
                Thread.sleep(backoff);
            } catch (InterruptedException e) {
                return;
            }
            backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
        }
    }

    private static Optional<ExitRecord> readExit(ProcessRecord task) {
        try {
            return task.dir().readExit();
        } catch (IOException e) {
            LOG.warning(task.describe() + ": " + e.getMessage());
            return Optional.empty();
        }
    }
}
