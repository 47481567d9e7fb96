package dev.holdfast.engine.log;

import com.fasterxml.jackson.databind.JsonNode;
import dev.holdfast.engine.api.Json;
import dev.holdfast.engine.time.Timestamps;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

/**
 * Copies a container's json-file log to a client: the last lines or all of them, within a time window, and when
 * following, whatever the shim appends until the container's run ends (the shim has drained the container's
 * output by then, so the final read is complete) or the client goes away.
 */
public final class LogReader {
    // New lines show up within this; the wait also ends at once when the run ends.
    private static final long POLL_MILLIS = 50;

    private final LogFiles files;

    public LogReader(LogFiles files) {
        this.files = files;
    }

    /** Where a read of {@code query} begins: the tail's first line, or the oldest line. */
    public LogCursor cursorFor(LogQuery query) throws IOException {
        return query.tail() >= 0 ? LogCursor.beforeLast(files, query.tail()) : LogCursor.atStart(files);
    }

    /**
     * Copies entries from {@code cursor} to {@code sink}. Without follow it stops at the current end; with follow
     * it stops once {@code runEnded} is complete and the log is drained, when {@code clientOpen} turns false, or
     * when an entry lies past {@code until}. What it wrote is flushed whenever it has caught up with the log.
     */
    public void copy(LogCursor cursor, LogQuery query, LogSink sink, CompletableFuture<?> runEnded,
            BooleanSupplier clientOpen) throws IOException, InterruptedException {
        JsonFileLine line = new JsonFileLine();
        while (true) {
            if (cursor.advance()) {
                if (!copyLine(cursor, line, query, sink)) {
                    sink.flush();
                    return;
                }
                continue;
            }
            sink.flush();
            if (!query.follow() || !clientOpen.getAsBoolean() || query.pastUntil(Instant.now())) {
                return;
            }
            if (runEnded.isDone()) {
                drain(cursor, line, query, sink);
                sink.flush();
                return;
            }
            awaitQuietly(runEnded);
        }
    }

    private void drain(LogCursor cursor, JsonFileLine line, LogQuery query, LogSink sink) throws IOException {
        while (cursor.advance()) {
            copyLine(cursor, line, query, sink);
        }
    }

    /** Writes the cursor's line if the query wants it; false when it lies past {@code until}. */
    private static boolean copyLine(LogCursor cursor, JsonFileLine line, LogQuery query, LogSink sink)
            throws IOException {
        if (line.parse(cursor.lineBytes(), cursor.lineStart(), cursor.lineEnd())) {
            if (query.pastUntil(line.time())) {
                return false;
            }
            if (query.wants(line.stream(), line.time())) {
                sink.write(line.stream(), line.time(), line.text(), 0, line.textLength());
            }
            return true;
        }
        LogEntry entry = parse(Arrays.copyOfRange(cursor.lineBytes(), cursor.lineStart(), cursor.lineEnd()));
        if (entry == null) {
            return true;
        }
        if (query.pastUntil(entry.time())) {
            return false;
        }
        if (query.wants(entry)) {
            sink.write(entry);
        }
        return true;
    }

    private static void awaitQuietly(CompletableFuture<?> runEnded) throws InterruptedException {
        try {
            runEnded.get(POLL_MILLIS, TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            // Either way: look at the file again.
        }
    }

    /**
     * One json-file line, by the general JSON parser; null for a line that is not one (a torn write seen mid-line,
     * foreign content). Lines of the shim's own shape take {@link JsonFileLine} instead, to the same result.
     */
    static LogEntry parse(byte[] line) {
        try {
            JsonNode node = Json.MAPPER.readTree(line);
            if (node == null || !node.isObject()) {
                return null;
            }
            LogEntry.Stream stream = "stderr".equals(node.path("stream").asText()) ? LogEntry.Stream.STDERR
                    : LogEntry.Stream.STDOUT;
            return new LogEntry(stream, Timestamps.parse(node.path("time").asText()), node.path("log").asText());
        } catch (IOException | DateTimeParseException e) {
            return null;
        }
    }
}
