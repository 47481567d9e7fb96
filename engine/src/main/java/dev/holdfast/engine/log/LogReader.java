package dev.holdfast.engine.log;

import com.fasterxml.jackson.databind.JsonNode;
import dev.holdfast.engine.api.Json;
import dev.holdfast.engine.time.Timestamps;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
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
     * when an entry lies past {@code until}.
     */
    public void copy(LogCursor cursor, LogQuery query, LogSink sink, CompletableFuture<?> runEnded,
            BooleanSupplier clientOpen) throws IOException, InterruptedException {
        while (true) {
            byte[] line = cursor.nextLine();
            if (line != null) {
                LogEntry entry = parse(line);
                if (entry == null) {
                    continue;
                }
                if (query.pastUntil(entry.time())) {
                    return;
                }
                if (query.wants(entry)) {
                    sink.write(entry);
                }
                continue;
            }
            if (!query.follow() || !clientOpen.getAsBoolean() || query.pastUntil(Instant.now())) {
                return;
            }
            if (runEnded.isDone()) {
                drain(cursor, query, sink);
                return;
            }
            awaitQuietly(runEnded);
        }
    }

    private void drain(LogCursor cursor, LogQuery query, LogSink sink) throws IOException {
        for (byte[] line = cursor.nextLine(); line != null; line = cursor.nextLine()) {
            LogEntry entry = parse(line);
            if (entry != null && !query.pastUntil(entry.time()) && query.wants(entry)) {
                sink.write(entry);
            }
        }
    }

    private static void awaitQuietly(CompletableFuture<?> runEnded) throws InterruptedException {
        try {
            runEnded.get(POLL_MILLIS, TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            // Either way: look at the file again.
        }
    }

    /** One json-file line; null for a line that is not one (a torn write seen mid-line, foreign content). */
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
