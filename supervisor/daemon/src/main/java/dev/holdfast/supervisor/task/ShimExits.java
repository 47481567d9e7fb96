package dev.holdfast.supervisor.task;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.logging.Logger;

/** Waiting for a shim process to go away once it has no more reason to live, and making sure it does. */
final class ShimExits {
    private static final Logger LOG = Logger.getLogger(ShimExits.class.getName());
    /** How long a shim may take to finish its answers and exit after its process has exited. */
    static final Duration SHIM_EXIT_WAIT = Duration.ofSeconds(5);

    private ShimExits() {}

    /** After the exit, the shim finishes its answers and exits; give it a moment, then make sure it is gone. */
    static void awaitExit(ProcessRecord record) {
        awaitGone(record.describe(), record.shimPid(), record::isShimAlive, SHIM_EXIT_WAIT);
    }

    /**
     * SIGKILLs the shim of {@code record} (when it still is that shim) and waits until it is gone: for a shim whose
     * process never ran (an exec never started), which otherwise lives on.
     */
    static void kill(ProcessRecord record) {
        if (record.isShimAlive()) {
            ProcessHandle.of(record.shimPid()).ifPresent(ProcessHandle::destroyForcibly);
        }
        awaitGone(record.describe(), record.shimPid(), record::isShimAlive, SHIM_EXIT_WAIT);
    }

    /**
     * Polls {@code alive} (a /proc check that treats zombies as gone: not every init reaps promptly) until it is
     * false or {@code patience} has passed, then SIGKILLs {@code pid}.
     */
    static void awaitGone(String who, int pid, BooleanSupplier alive, Duration patience) {
        long deadline = System.nanoTime() + patience.toNanos();
        long pause = 2;
        while (alive.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                LOG.warning(who + ": shim " + pid + " still there after " + patience.toSeconds() + "s; killing it");
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
                return;
            }
            try {
                Thread.sleep(pause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            pause = Math.min(pause * 2, 100);
        }
    }
}
