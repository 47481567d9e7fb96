package dev.holdfast.engine.log;

import java.time.Instant;

/**
 * What a client asked of a log: which streams, which time window, how many of the last lines ({@code tail} −1 for
 * all), timestamps, and whether to follow.
 */
public record LogQuery(boolean stdout, boolean stderr, Instant since, Instant until, long tail, boolean timestamps,
        boolean follow) {

    boolean wants(LogEntry entry) {
        boolean stream = entry.stream() == LogEntry.Stream.STDOUT ? stdout : stderr;
        return stream && (since == null || !entry.time().isBefore(since));
    }

    boolean pastUntil(Instant time) {
        return until != null && time.isAfter(until);
    }
}
