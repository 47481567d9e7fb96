package dev.holdfast.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The short version of {@code scripts/chaos}: 50 operations by 2 docker CLI clients on a fresh instance while
 * faults are injected (kill -9 of engine, supervisor, shims or runc; SIGSTOP of a daemon), then every invariant is
 * checked, {@code holdfast check} included. A new seed each run, printed, so that a failure replays with
 * {@code scripts/chaos --ops 50 --clients 2 --seed S}.
 */
class ChaosTest {
    @Test
    void aShortChurnWithFaultsEndsWithNoViolation() {
        long seed = new SecureRandom().nextLong();
        DockerResult run = HoldfastDaemon.run(List.of(HoldfastDaemon.projectHome().resolve("scripts/chaos").toString(),
                        "--ops", "50", "--clients", "2", "--seed", Long.toString(seed)),
                Map.of("HOLDFAST_SKIP_BUILD", "1", "HOLDFAST_SKIP_PACKAGES", "1"), null, Duration.ofMinutes(8));
        String last = run.stdout().strip().lines().reduce((a, b) -> b).orElse("");
        assertTrue(last.matches("50 operations, \\d+ faults injected, 0 violations"),
                "seed " + seed + " (replay: scripts/chaos --ops 50 --clients 2 --seed " + seed + "):\n" + run);
        assertEquals(0, run.exitCode(), run.toString());
    }
}
