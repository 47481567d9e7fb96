package dev.holdfast.engine.container;

import dev.holdfast.engine.task.SupervisorException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Restarts by restart policy: the back-off after each exit, the timer that fires them, and the decision at engine
 * boot for containers that went down meanwhile. The lifecycle decides whether a restart is due; this runs it.
 */
final class RestartScheduler implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(RestartScheduler.class.getName());

    private final ContainerStore store;
    /** Starts a new run of the container (caller holds its lock). */
    private final Consumer<Container> runner;
    private final ScheduledExecutorService restartTimer = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("restart-timer").factory());

    RestartScheduler(ContainerStore store, Consumer<Container> runner) {
        this.store = store;
        this.runner = runner;
    }

    /**
     * Engine boot: the restart policy decides about containers that are down (not those stopped by policy). As
     * dockerd's restore does, each one it restarts is started anew (restart count back to 0), and all of them at
     * once: every start runs on a thread of its own.
     */
    void applyAtBoot(Container c) {
        c.lock().lock();
        try {
            ContainerRecord record = c.record();
            ContainerState state = record.state();
            if (c.removing() || state.hasProcess() || c.hasPendingRestart() || !record.hasBeenStartedBefore()) {
                return;
            }
            RestartPolicy policy = RestartPolicy.of(record.hostConfig().restartPolicy());
            // A container that was waiting for its restart when the engine went down still gets it.
            if (state.restarting()
                    || policy.shouldRestart(state.exitCode(), record.hasBeenManuallyStopped(), c.policyRestarts())) {
                c.restartDelay(null);
                c.policyRestarts(0);
                markRestarting(c, state.exitCode(), 0);
                armRestart(c, Duration.ZERO);
            }
        } finally {
            c.lock().unlock();
        }
    }

    /** The next restart of an exited container, after the policy's back-off. Caller holds the lock. */
    void schedule(Container c, int exitCode, Duration ranFor) {
        Duration delay = RestartPolicy.nextDelay(c.restartDelay(), ranFor);
        c.restartDelay(delay);
        c.policyRestarts(c.policyRestarts() + 1);
        markRestarting(c, exitCode, c.record().restartCount() + 1);
        armRestart(c, delay);
    }

    /** Caller holds the lock. */
    private void markRestarting(Container c, int exitCode, int restartCount) {
        Instant finishedAt = c.record().state().finishedTime();
        store.update(c, r -> r.withRestartCount(restartCount).withState(s -> s.restartingAfter(exitCode, finishedAt)));
    }

    /** Caller holds the lock. */
    private void armRestart(Container c, Duration delay) {
        c.pendingRestart(restartTimer.schedule(() -> Thread.ofVirtual().name("restart " + c.id())
                .start(() -> restartByPolicy(c)), delay.toMillis(), TimeUnit.MILLISECONDS));
    }

    private void restartByPolicy(Container c) {
        c.lock().lock();
        try {
            if (!c.record().state().restarting() || c.removing()) {
                return;
            }
            c.takePendingRestart();
            runner.accept(c);
        } catch (SupervisorException e) {
            if (e.unreachable()) {
                // Still restarting: try again once the supervisor may be back, rather than stay stuck.
                Duration delay = RestartPolicy.nextDelay(c.restartDelay(), Duration.ZERO);
                c.restartDelay(delay);
                armRestart(c, delay);
            }
            LOG.log(Level.WARNING, "restart of container " + c.id() + " by its restart policy failed: " + e.getMessage());
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "restart of container " + c.id() + " by its restart policy failed: " + e.getMessage());
        } finally {
            c.lock().unlock();
        }
    }

    /** Caller holds the lock. */
    void cancel(Container c) {
        Future<?> pending = c.takePendingRestart();
        if (pending != null) {
            pending.cancel(false);
        }
    }

    @Override
    public void close() {
        restartTimer.shutdownNow();
    }
}
