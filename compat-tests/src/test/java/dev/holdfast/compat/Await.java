package dev.holdfast.compat;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Condition waits with a deadline. Tests wait for what they need ("the container is running"), never for a fixed
 * time: polling starts at 10 ms and backs off to 250 ms.
 */
public final class Await {

    private Await() {}

    /** Polls {@code condition} until it is true; fails with {@code what} when {@code timeout} passes first. */
    public static void until(Duration timeout, BooleanSupplier condition, String what) {
        value(timeout, condition::getAsBoolean, Boolean::booleanValue, what);
    }

    /**
     * Polls {@code supplier} until {@code done} accepts its value, and returns that value; fails with {@code what}
     * and the last value seen when {@code timeout} passes first. A supplier that throws counts as "not yet".
     */
    public static <T> T value(Duration timeout, Supplier<T> supplier, Predicate<? super T> done, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long pause = 10;
        T last = null;
        RuntimeException lastError = null;
        while (true) {
            try {
                last = supplier.get();
                lastError = null;
                if (done.test(last)) {
                    return last;
                }
            } catch (RuntimeException e) {
                lastError = e;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                AssertionError failure = new AssertionError("timed out after " + timeout + " waiting for: " + what
                        + (lastError != null ? " (last attempt threw " + lastError + ")" : " (last value: " + last + ")"));
                if (lastError != null) {
                    failure.initCause(lastError);
                }
                throw failure;
            }
            try {
                Thread.sleep(Math.min(pause, Math.max(1, left / 1_000_000)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for: " + what, e);
            }
            pause = Math.min(pause * 2, 250);
        }
    }
}
