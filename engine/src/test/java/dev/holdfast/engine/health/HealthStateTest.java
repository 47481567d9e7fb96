package dev.holdfast.engine.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.holdfast.engine.errdefs.DomainException;
import dev.holdfast.engine.time.GoDuration;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class HealthStateTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final HealthConfig CHECK = new HealthConfig(List.of("CMD-SHELL", "exit 1"), 0, 0,
            Duration.ofSeconds(10).toNanos(), 0, 2);

    private static HealthResult result(int secondsAfterStart, int exitCode) {
        Instant start = T0.plusSeconds(secondsAfterStart);
        return HealthResult.of(start, start.plusMillis(5), exitCode, "out");
    }

    @Test
    void failuresInTheStartPeriodDoNotCountWhileStarting() {
        HealthState state = HealthState.onStart(null, CHECK);
        state = state.after(result(1, 1), CHECK, T0).after(result(2, 1), CHECK, T0);
        assertEquals(new HealthState("starting", 0, state.log()), state);
        state = state.after(result(11, 1), CHECK, T0);
        assertEquals("starting", state.status());
        assertEquals(1, state.failingStreak());
        state = state.after(result(12, 1), CHECK, T0);
        assertEquals("unhealthy", state.status());
        assertEquals(2, state.failingStreak());
    }

    @Test
    void aPassIsHealthyAndResetsTheStreakAndFailuresCountOnceHealthy() {
        HealthState state = HealthState.onStart(null, CHECK).after(result(1, 0), CHECK, T0);
        assertEquals("healthy", state.status());
        state = state.after(result(2, 1), CHECK, T0);
        assertEquals("healthy", state.status(), "within the start period, but no longer starting");
        assertEquals(1, state.failingStreak());
        assertEquals(0, state.after(result(3, 0), CHECK, T0).failingStreak());
    }

    @Test
    void keepsTheLastFiveResultsAndAStartKeepsThemToo() {
        HealthState state = HealthState.onStart(null, CHECK);
        for (int i = 0; i < 7; i++) {
            state = state.after(result(20 + i, i), CHECK, T0);
        }
        assertEquals(List.of(2, 3, 4, 5, 6), state.log().stream().map(HealthResult::exitCode).toList());
        HealthState restarted = HealthState.onStart(state.probingStopped(), CHECK);
        assertEquals(new HealthState("starting", 0, state.log()), restarted);
        assertEquals("unhealthy", state.probingStopped().status());
    }

    @Test
    void noProbeLeavesNoHealth() {
        assertNull(HealthState.onStart(null, null));
        assertNull(HealthState.onStart(null, new HealthConfig(List.of("NONE"), 0, 0, 0, 0, 0)));
        assertEquals("none", HealthState.filterValue(null));
        assertEquals("health: starting", HealthState.onStart(null, CHECK).describe());
    }

    @Test
    void mergesOverTheImageFieldByFieldWithDockerdsDefaults() {
        HealthConfig image = new HealthConfig(List.of("CMD", "check"), 5, 6, 7, 8, 9);
        HealthConfig asked = new HealthConfig(List.of(), 50, 0, 0, 0, 0);
        assertEquals(new HealthConfig(List.of("CMD", "check"), 50, 6, 7, 8, 9), HealthConfig.merge(asked, image));
        assertEquals(image, HealthConfig.merge(null, image));
        HealthConfig defaults = new HealthConfig(List.of("CMD-SHELL", "a", "b"), 0, 0, 0, 0, 0);
        assertEquals(List.of("/bin/sh", "-c", "a", "b"), defaults.probeCommand());
        assertEquals(Duration.ofSeconds(30), defaults.effectiveInterval());
        assertEquals(Duration.ofSeconds(30), defaults.effectiveTimeout());
        assertEquals(Duration.ofSeconds(5), defaults.effectiveStartInterval());
        assertEquals(3, defaults.effectiveRetries());
    }

    @Test
    void validatesWithDockerdsWords() {
        DomainException interval = assertThrows(DomainException.class, () -> HealthConfig.validate(
                new HealthConfig(List.of("CMD", "x"), 500_000, 0, 0, 0, 0)));
        assertEquals("Interval in Healthcheck cannot be less than 1ms", interval.getMessage());
        DomainException retries = assertThrows(DomainException.class, () -> HealthConfig.validate(
                new HealthConfig(List.of("CMD", "x"), 0, 0, 0, 0, -1)));
        assertEquals("Retries in Healthcheck cannot be negative", retries.getMessage());
        assertThrows(DomainException.class, () -> HealthConfig.validate(new HealthConfig(List.of("BOGUS", "x"), 0, 0, 0, 0, 0)));
    }

    @Test
    void timeoutOutputAndGoDurations() {
        assertEquals("Health check exceeded timeout (300ms)",
                ProbeRunner.Outcome.timedOut(Duration.ofMillis(300), "").output());
        assertEquals("Health check exceeded timeout (1.5s): partial",
                ProbeRunner.Outcome.timedOut(Duration.ofMillis(1500), "partial").output());
        assertEquals("1m30s", GoDuration.format(Duration.ofSeconds(90)));
        assertEquals("1h0m0s", GoDuration.format(Duration.ofHours(1)));
        assertEquals("500µs", GoDuration.format(Duration.ofNanos(500_000)));
        ProbeOutput output = new ProbeOutput();
        output.append(new byte[ProbeOutput.LIMIT + 1]);
        assertEquals(ProbeOutput.LIMIT + 3, output.toString().length());
    }
}
