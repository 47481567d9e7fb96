package dev.holdfast.engine.time;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class TimestampsTest {
    @Test
    void formatsLikeGoRfc3339Nano() {
        assertEquals("2026-11-22T03:58:37.1234Z", Timestamps.format(Instant.parse("2026-11-22T03:58:37.123400Z")));
        assertEquals("2026-11-22T03:58:37Z", Timestamps.format(Instant.parse("2026-11-22T03:58:37Z")));
        assertEquals("0001-01-01T00:00:00Z", Timestamps.format(Timestamps.ZERO));
        assertEquals("2026-11-22T03:58:37.120000000Z", Timestamps.formatFixed(Instant.parse("2026-11-22T03:58:37.12Z")));
    }

    @Test
    void parsesOffsetsAndZero() {
        assertEquals(Instant.parse("2026-11-22T02:58:37.5Z"), Timestamps.parse("2026-11-22T03:58:37.5+01:00"));
        assertEquals(Timestamps.ZERO, Timestamps.parse("0001-01-01T00:00:00Z"));
        assertEquals(Timestamps.ZERO, Timestamps.parse(""));
    }

    @Test
    void sinceAndUntilAcceptUnixSecondsWithFractionOrRfc3339() {
        assertEquals(Instant.ofEpochSecond(1700000000, 500_000_000), Timestamps.parseSinceUntil("1700000000.5"));
        assertEquals(Instant.ofEpochSecond(1700000000, 123456789), Timestamps.parseSinceUntil("1700000000.123456789"));
        assertEquals(Instant.ofEpochSecond(1700000000), Timestamps.parseSinceUntil("1700000000"));
        assertEquals(Instant.parse("2024-01-01T00:00:00Z"), Timestamps.parseSinceUntil("2024-01-01T00:00:00Z"));
        assertThrows(IllegalArgumentException.class, () -> Timestamps.parseSinceUntil("yesterday"));
        // Beyond a long, and beyond the last Instant: both a 400, never a 500 (found by ApiFuzzTest).
        assertThrows(IllegalArgumentException.class, () -> Timestamps.parseSinceUntil("99999999999999999999"));
        assertThrows(IllegalArgumentException.class, () -> Timestamps.parseSinceUntil("99999999999999999"));
        Instant dayAgo = Timestamps.parseSinceUntil("24h");
        assertTrue(Duration.between(dayAgo, Instant.now().minus(Duration.ofHours(24))).abs().toSeconds() < 5);
        assertEquals(Duration.ofMinutes(90).plusMillis(500), Timestamps.goDuration("1h30m500ms"));
    }

    @Test
    void humanDurationsMatchDocker() {
        assertEquals("Less than a second", HumanDuration.of(Duration.ofMillis(300)));
        assertEquals("1 second", HumanDuration.of(Duration.ofSeconds(1)));
        assertEquals("3 seconds", HumanDuration.of(Duration.ofSeconds(3)));
        assertEquals("About a minute", HumanDuration.of(Duration.ofSeconds(90)));
        assertEquals("2 minutes", HumanDuration.of(Duration.ofMinutes(2)));
        assertEquals("About an hour", HumanDuration.of(Duration.ofMinutes(70)));
        assertEquals("5 hours", HumanDuration.of(Duration.ofHours(5)));
        assertEquals("3 days", HumanDuration.of(Duration.ofDays(3)));
        assertEquals("3 weeks", HumanDuration.of(Duration.ofDays(21)));
        assertEquals("3 months", HumanDuration.of(Duration.ofDays(95)));
        assertEquals("2 years", HumanDuration.of(Duration.ofDays(800)));
    }
}
