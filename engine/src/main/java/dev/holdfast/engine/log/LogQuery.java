package dev.holdfast.engine.log;

import java.time.Instant;

/**
 * What a client asked of a log: which streams, which time window, how many of the last lines ({@code tail} −1 for
 * all), timestamps, and whether to follow.
 */
public record LogQuery(boolean stdout, boolean stderr, Instant since, Instant until, long tail, boolean timestamps,
        boolean follow) {

    boolean wants(LogEntry entry) {
        return wants(entry.stream(), entry.time());
    }

    boolean wants(LogEntry.Stream stream, Instant time) {
        return (stream == LogEntry.Stream.STDOUT ? stdout : stderr) && (since == null || !time.isBefore(since));
    }

    boolean pastUntil(Instant time) {
        return until != null && time.isAfter(until);
    }
}
