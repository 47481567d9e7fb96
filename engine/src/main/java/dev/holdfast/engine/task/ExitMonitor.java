package dev.holdfast.engine.task;

import dev.holdfast.engine.container.ContainerService;
import dev.holdfast.engine.container.TaskExit;
import dev.holdfast.supervisor.api.TaskEvent;
import io.grpc.Context;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Follows the supervisor's task events and applies exits. The stream breaks whenever the supervisor restarts; the
 * monitor then reconnects with backoff and reconciles, because the supervisor does not replay events.
 */
public final class ExitMonitor implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ExitMonitor.class.getName());
    private static final Duration MIN_BACKOFF = Duration.ofMillis(100);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(2);
    // The server may register the subscription a moment after it answers our List; a second List after this
    // long catches an exit that fell into that window (exited tasks stay listed until the engine deletes them).
    private static final Duration SECOND_PASS = Duration.ofSeconds(1);

    private final TaskClient tasks;
    private final Reconciler reconciler;
    private final ContainerService service;
    private final CompletableFuture<Void> firstReconcile = new CompletableFuture<>();
    private volatile boolean closed;
    private volatile boolean connected;
    private volatile Context.CancellableContext current;
    private Thread thread;

    public ExitMonitor(TaskClient tasks, Reconciler reconciler, ContainerService service) {
        this.tasks = tasks;
        this.reconciler = reconciler;
        this.service = service;
    }

    public void start() {
        thread = Thread.ofVirtual().name("exit-monitor").start(this::run);
    }

    /** True while the event stream is up and the last reconcile succeeded. */
    public boolean connected() {
        return connected;
    }

    /** Completes after the boot reconcile: the supervisor was reachable and every record agrees with it. */
    public CompletableFuture<Void> firstReconcile() {
        return firstReconcile;
    }

    private void run() {
        Duration backoff = MIN_BACKOFF;
        boolean boot = true;
        boolean reportedDown = false;
        while (!closed) {
            CompletableFuture<Void> ended = new CompletableFuture<>();
            current = tasks.subscribe(observer(ended));
            try {
                reconciler.reconcile(boot);
                if (boot) {
                    reconciler.afterBoot();
                    firstReconcile.complete(null);
                }
                if (reportedDown || !boot) {
                    LOG.info("supervisor at " + tasks.socket() + " is back; records reconciled");
                }
                boot = false;
                reportedDown = false;
                connected = true;
                backoff = MIN_BACKOFF;
                if (!awaitEnd(ended, SECOND_PASS)) {
                    reconciler.reconcile(false);
                    awaitEnd(ended, null);
                }
                if (!closed) {
                    LOG.warning("task event stream from " + tasks.socket() + " ended: " + ended.handle((v, e) ->
                            e == null ? "completed" : tasks.describe(e, "events").getMessage()).join());
                }
            } catch (SupervisorException e) {
                if (!reportedDown) {
                    LOG.warning(e.getMessage() + "; retrying");
                    reportedDown = true;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "reconciling with the supervisor failed; retrying", e);
            } finally {
                connected = false;
                current.cancel(null);
            }
            if (closed) {
                return;
            }
            // The channel backs off reconnecting on its own, up to minutes; we retry on our schedule.
            tasks.resetConnectBackoff();
            try {
                Thread.sleep(backoff);
            } catch (InterruptedException e) {
                return;
            }
            backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
        }
    }

    /** True when the stream ended within {@code timeout} (null: however long it lasts). */
    private static boolean awaitEnd(CompletableFuture<Void> ended, Duration timeout) throws InterruptedException {
        try {
            if (timeout == null) {
                ended.get();
            } else {
                ended.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (ExecutionException e) {
            // Ended with an error: the caller reports it.
        } catch (TimeoutException e) {
            return false;
        }
        return true;
    }

    private StreamObserver<TaskEvent> observer(CompletableFuture<Void> ended) {
        return new StreamObserver<>() {
            @Override
            public void onNext(TaskEvent event) {
                // Only the exit of a container's init ends the container; an exec'd process's exit does not.
                if (event.getType() != TaskEvent.Type.TYPE_EXIT || !event.getTask().getExecId().isEmpty()) {
                    return;
                }
                var task = event.getTask();
                // Applying an exit takes the container's lock and calls the supervisor: not on gRPC's thread.
                Thread.ofVirtual().name("exit " + task.getId()).start(() -> {
                    try {
                        service.onTaskExit(task.getId(), task.getPid(), TaskExit.of(task));
                    } catch (RuntimeException e) {
                        LOG.log(Level.WARNING, "applying the exit of container " + task.getId() + ": " + e.getMessage(), e);
                    }
                });
            }

            @Override
            public void onError(Throwable t) {
                ended.completeExceptionally(t);
            }

            @Override
            public void onCompleted() {
                ended.complete(null);
            }
        };
    }

    @Override
    public void close() {
        closed = true;
        Context.CancellableContext context = current;
        if (context != null) {
            context.cancel(null);
        }
        if (thread != null) {
            thread.interrupt();
        }
    }
}
