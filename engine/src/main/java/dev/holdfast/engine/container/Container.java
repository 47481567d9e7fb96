package dev.holdfast.engine.container;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One container as the engine holds it: its current record, the lock that orders its state transitions, and the
 * futures waiters block on. The record is replaced (never mutated) by {@link ContainerStore#update}.
 */
public final class Container {
    private final Path dir;
    private final ReentrantLock lock = new ReentrantLock();
    private final CompletableFuture<ExitStatus> removed = new CompletableFuture<>();
    private volatile ContainerRecord record;
    // Completed at the end of the current run, or of the next one when none is running; then replaced.
    private CompletableFuture<ExitStatus> nextExit = new CompletableFuture<>();
    private Future<?> pendingRestart;
    private boolean restartSuppressed;
    private boolean removing;
    // This run's task is deleted (at its exit): removal need not ask the supervisor again. Set by the exit's own thread.
    private volatile boolean taskDeleted;
    private Duration restartDelay;
    // Restarts by policy since the last explicit start: what on-failure:N counts (RestartCount never resets).
    private int policyRestarts;
    // Attaches waiting for the next run: each is opened once the task exists, before it starts.
    private final List<Runnable> beforeStart = new ArrayList<>();

    Container(Path dir, ContainerRecord record) {
        this.dir = dir;
        this.record = record;
        this.policyRestarts = record.restartCount();
    }

    public String id() {
        return record.id();
    }

    public ContainerRecord record() {
        return record;
    }

    void replace(ContainerRecord newRecord) {
        record = newRecord;
    }

    /** {@code <data>/containers/<id>}. */
    public Path dir() {
        return dir;
    }

    public Path rootfs() {
        return dir.resolve("rootfs");
    }

    /** Where the shim writes the container's output: /dev/null for the {@code none} log driver. */
    public Path logPath() {
        return record.logPath().isEmpty() ? Path.of("/dev/null") : Path.of(record.logPath());
    }

    public ReentrantLock lock() {
        return lock;
    }

    /** The exit of the running run, or of the next run when none is running. */
    public CompletableFuture<ExitStatus> nextExit() {
        lock.lock();
        try {
            return nextExit;
        } finally {
            lock.unlock();
        }
    }

    /**
     * The end of the run going on now, already complete when none is: read with the state under the lock, so that an
     * exit recorded in between cannot leave the caller waiting for the next run's.
     */
    public CompletableFuture<ExitStatus> currentRunEnd() {
        lock.lock();
        try {
            return record.state().hasProcess() ? nextExit
                    : CompletableFuture.completedFuture(new ExitStatus(record.state().exitCode(), null));
        } finally {
            lock.unlock();
        }
    }

    /** Completes the current run's exit future and arms a fresh one for the next run. Caller holds the lock. */
    void completeRun(ExitStatus status) {
        CompletableFuture<ExitStatus> finished = nextExit;
        nextExit = new CompletableFuture<>();
        finished.complete(status);
    }

    /** Runs {@code hook} when the next run's task exists and has not started. Caller holds the lock. */
    public void beforeNextStart(Runnable hook) {
        beforeStart.add(hook);
    }

    public void cancelBeforeNextStart(Runnable hook) {
        lock.lock();
        try {
            beforeStart.remove(hook);
        } finally {
            lock.unlock();
        }
    }

    /** Runs and forgets the hooks of {@link #beforeNextStart}. Caller holds the lock. */
    void runBeforeStart() {
        List<Runnable> hooks = new ArrayList<>(beforeStart);
        beforeStart.clear();
        for (Runnable hook : hooks) {
            try {
                hook.run();
            } catch (RuntimeException e) {
                // an attach that cannot open does not stop the container
            }
        }
    }

    public CompletableFuture<ExitStatus> removed() {
        return removed;
    }

    /** Caller holds the lock. */
    Future<?> takePendingRestart() {
        Future<?> pending = pendingRestart;
        pendingRestart = null;
        return pending;
    }

    boolean hasPendingRestart() {
        return pendingRestart != null;
    }

    void pendingRestart(Future<?> restart) {
        pendingRestart = restart;
    }

    /** The next exit is one the engine asked for (stop, kill with the stop signal, rm -f): no restart policy. */
    void suppressRestartOnNextExit(boolean suppress) {
        restartSuppressed = suppress;
    }

    boolean restartSuppressed() {
        return restartSuppressed;
    }

    /** The delay before the previous policy restart; null before the first. Caller holds the lock. */
    Duration restartDelay() {
        return restartDelay;
    }

    void restartDelay(Duration delay) {
        restartDelay = delay;
    }

    int policyRestarts() {
        return policyRestarts;
    }

    void policyRestarts(int count) {
        policyRestarts = count;
    }

    public boolean removing() {
        return removing;
    }

    void removing(boolean value) {
        removing = value;
    }

    boolean taskDeleted() {
        return taskDeleted;
    }

    void taskDeleted(boolean value) {
        taskDeleted = value;
    }
}
