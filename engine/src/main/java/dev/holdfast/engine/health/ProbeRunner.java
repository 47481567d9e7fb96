package dev.holdfast.engine.health;

import dev.holdfast.engine.time.GoDuration;
import java.time.Duration;
import java.util.List;

/** Runs one probe inside a running container (the engine's exec path through the supervisor). */
public interface ProbeRunner {

    /** How a probe ended: its exit code and output, or dockerd's -1 when it had to be killed. */
    record Outcome(int exitCode, String output) {
        /** dockerd's words for a probe killed at its timeout, with what it wrote until then. */
        public static Outcome timedOut(Duration timeout, String output) {
            String message = "Health check exceeded timeout (" + GoDuration.format(timeout) + ")";
            return new Outcome(-1, output.isEmpty() ? message : message + ": " + output);
        }
    }

    /**
     * Runs {@code command} in the container; a probe still running after {@code timeout} is killed and reported with
     * {@link Outcome#timedOut}. Throws when the probe could not be run at all (its message becomes the result).
     */
    Outcome run(String containerId, List<String> command, Duration timeout);
}
