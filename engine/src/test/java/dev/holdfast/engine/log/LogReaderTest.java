package dev.holdfast.engine.log;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.holdfast.engine.api.ApiVersion;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogReaderTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final LogQuery ALL = new LogQuery(true, true, null, null, -1, false, false);

    @TempDir
    Path dir;

    private Path live() {
        return dir.resolve("c-json.log");
    }

    private static String line(String text, String stream, int second) {
        return "{\"log\":\"" + text + "\\n\",\"stream\":\"" + stream + "\",\"time\":\"" + T0.plusSeconds(second) + "\"}\n";
    }

    private void append(Path file, String... lines) throws Exception {
        Files.writeString(file, String.join("", lines), StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    /** Reads frames back into "stream:text" strings. */
    private static List<String> frames(byte[] bytes) {
        List<String> out = new ArrayList<>();
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining()) {
            int stream = buffer.get();
            buffer.get(new byte[3]);
            byte[] payload = new byte[buffer.getInt()];
            buffer.get(payload);
            out.add(stream + ":" + new String(payload, StandardCharsets.UTF_8));
        }
        return out;
    }

    private List<String> read(LogQuery query) throws Exception {
        LogReader reader = new LogReader(new LogFiles(live()));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (LogCursor cursor = reader.cursorFor(query)) {
            reader.copy(cursor, query, new LogSink(out, true, query.timestamps()), CompletableFuture.completedFuture(null),
                    () -> true);
        }
        return frames(out.toByteArray());
    }

    @Test
    void framesCarryTheStreamAndLength() {
        assertArrayEquals(new byte[] {2, 0, 0, 0, 0, 0, 1, 2}, LogSink.frameHeader(LogEntry.Stream.STDERR, 258));
        assertEquals(LogSink.MULTIPLEXED, LogSink.contentType(false, new ApiVersion(1, 47)));
        assertEquals(LogSink.RAW, LogSink.contentType(false, new ApiVersion(1, 41)));
        assertEquals(LogSink.RAW, LogSink.contentType(true, new ApiVersion(1, 47)));
    }

    @Test
    void manyShortLinesAndLinesLongerThanTheBuffersComeOutWhole() throws Exception {
        // Lines that straddle the cursor's 64 KiB reads, lines longer than its buffer and the sink's, and lines
        // the fast decoder leaves to the general parser (another key order, an offset), in the order written.
        List<String> expected = new ArrayList<>();
        StringBuilder file = new StringBuilder();
        for (int i = 0; i < 5000; i++) {
            String text = i % 997 == 0 ? "x".repeat(70_000 + i) : "line " + i + " " + "y".repeat(i % 120);
            String stream = i % 3 == 0 ? "stderr" : "stdout";
            if (i % 101 == 0) {
                file.append("{\"stream\":\"").append(stream).append("\",\"log\":\"").append(text)
                        .append("\\n\",\"time\":\"2026-01-01T01:00:00+01:00\"}\n");
            } else {
                file.append(line(text, stream, i));
            }
            expected.add((stream.equals("stderr") ? 2 : 1) + ":" + text + "\n");
        }
        append(live(), file.toString());
        assertEquals(expected, read(ALL));
    }

    @Test
    void readsRotatedFilesOldestFirstAndSelectsStreams() throws Exception {
        append(dir.resolve("c-json.log.2"), line("a", "stdout", 1));
        append(dir.resolve("c-json.log.1"), line("b", "stderr", 2), line("c", "stdout", 3));
        append(live(), line("d", "stdout", 4));
        assertEquals(List.of("1:a\n", "2:b\n", "1:c\n", "1:d\n"), read(ALL));
        assertEquals(List.of("2:b\n"), read(new LogQuery(false, true, null, null, -1, false, false)));
    }

    @Test
    void tailCountsLinesAcrossFiles() throws Exception {
        append(dir.resolve("c-json.log.1"), line("a", "stdout", 1), line("b", "stdout", 2));
        append(live(), line("c", "stdout", 3));
        assertEquals(List.of("1:b\n", "1:c\n"), read(new LogQuery(true, true, null, null, 2, false, false)));
        assertEquals(List.of("1:c\n"), read(new LogQuery(true, true, null, null, 1, false, false)));
        assertEquals(List.of(), read(new LogQuery(true, true, null, null, 0, false, false)));
        assertEquals(3, read(new LogQuery(true, true, null, null, 10, false, false)).size());
    }

    @Test
    void tailScansBackwardsOverManyBlocks() throws Exception {
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < 5000; i++) {
            lines.append(line("line " + i, "stdout", i));
        }
        append(live(), lines.toString());
        assertEquals(List.of("1:line 4997\n", "1:line 4998\n", "1:line 4999\n"),
                read(new LogQuery(true, true, null, null, 3, false, false)));
    }

    @Test
    void sinceUntilAndTimestamps() throws Exception {
        append(live(), line("a", "stdout", 1), line("b", "stdout", 2), line("c", "stdout", 3));
        assertEquals(List.of("1:b\n", "1:c\n"), read(new LogQuery(true, true, T0.plusSeconds(2), null, -1, false, false)));
        assertEquals(List.of("1:a\n", "1:b\n"), read(new LogQuery(true, true, null, T0.plusSeconds(2), -1, false, false)));
        assertEquals(List.of("1:2026-01-01T00:00:01.000000000Z a\n"),
                read(new LogQuery(true, true, null, T0.plusSeconds(1), -1, true, false)));
    }

    @Test
    void tornAndForeignLinesAreSkipped() throws Exception {
        append(live(), "not json\n", line("a", "stdout", 1), "{\"log\":\"x\",\"time\":\"garbage\"}\n");
        assertEquals(List.of("1:a\n"), read(ALL));
        assertNull(LogReader.parse("[]".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void aLineStillBeingWrittenWaitsForItsNewline() throws Exception {
        append(live(), line("a", "stdout", 1), "{\"log\":\"b\\n\",\"stream\":\"std");
        try (LogCursor cursor = LogCursor.atStart(new LogFiles(live()))) {
            assertEquals(line("a", "stdout", 1).trim(), new String(cursor.nextLine(), StandardCharsets.UTF_8));
            assertNull(cursor.nextLine());
            append(live(), "out\",\"time\":\"" + T0 + "\"}\n");
            assertEquals("{\"log\":\"b\\n\",\"stream\":\"stdout\",\"time\":\"" + T0 + "\"}",
                    new String(cursor.nextLine(), StandardCharsets.UTF_8));
        }
    }

    @Test
    void followSeesAppendsAndRotationAndEndsWhenTheRunEnds() throws Exception {
        append(live(), line("a", "stdout", 1));
        LogReader reader = new LogReader(new LogFiles(live()));
        LogQuery follow = new LogQuery(true, true, null, null, -1, false, true);
        CompletableFuture<Void> runEnded = new CompletableFuture<>();
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        CountDownLatch wroteFirst = new CountDownLatch(1);
        LogSink sink = new LogSink(new java.io.OutputStream() {
            @Override
            public void write(int b) {
                captured.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                captured.write(b, off, len);
                wroteFirst.countDown();
            }
        }, true, false);
        Thread follower = Thread.ofVirtual().start(() -> {
            try (LogCursor cursor = reader.cursorFor(follow)) {
                reader.copy(cursor, follow, sink, runEnded, () -> true);
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        wroteFirst.await();
        // Rotation as the shim does it: rename the live file, start a new one.
        append(live(), line("b", "stdout", 2));
        Files.move(live(), dir.resolve("c-json.log.1"));
        append(live(), line("c", "stderr", 3));
        runEnded.complete(null);
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> follower.join());
        assertEquals(List.of("1:a\n", "1:b\n", "2:c\n"), frames(captured.toByteArray()));
    }

    @Test
    void followEndsWhenTheClientGoes() throws Exception {
        LogReader reader = new LogReader(new LogFiles(live()));
        LogQuery follow = new LogQuery(true, true, null, null, -1, false, true);
        AtomicBoolean open = new AtomicBoolean(true);
        Thread follower = Thread.ofVirtual().start(() -> {
            try (LogCursor cursor = reader.cursorFor(follow)) {
                reader.copy(cursor, follow, new LogSink(new ByteArrayOutputStream(), true, false),
                        new CompletableFuture<>(), open::get);
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        open.set(false);
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> follower.join());
    }

    @Test
    void attachingAtTheEndSkipsWhatWasThere() throws Exception {
        append(live(), line("old", "stdout", 1));
        try (LogCursor cursor = LogCursor.atEnd(new LogFiles(live()))) {
            assertNull(cursor.nextLine());
            append(live(), line("new", "stdout", 2));
            assertEquals(line("new", "stdout", 2).trim(), new String(cursor.nextLine(), StandardCharsets.UTF_8));
        }
    }

    @Test
    void attachingBeforeTheLogExistsReadsItFromItsStart() throws Exception {
        try (LogCursor cursor = LogCursor.atEnd(new LogFiles(live()))) {
            assertNull(cursor.nextLine());
            append(live(), line("first", "stdout", 1));
            assertEquals(line("first", "stdout", 1).trim(), new String(cursor.nextLine(), StandardCharsets.UTF_8));
        }
    }

    @Test
    void rotationOptionsParseLikeJsonFile() {
        assertEquals(new LogRotation(10 * 1024 * 1024, 3), LogRotation.of(new dev.holdfast.engine.container.HostConfig.LogConfig(
                "json-file", java.util.Map.of("max-size", "10m", "max-file", "3"))));
        assertEquals(1536, LogRotation.parseSize("1.5k"));
        assertEquals(LogRotation.UNLIMITED, LogRotation.of(null));
        assertEquals(LogRotation.UNLIMITED, LogRotation.of(
                new dev.holdfast.engine.container.HostConfig.LogConfig("json-file", java.util.Map.of("max-file", "3"))));
        assertThrows(dev.holdfast.engine.errdefs.DomainException.class, () -> LogRotation.of(
                new dev.holdfast.engine.container.HostConfig.LogConfig("json-file", java.util.Map.of("colour", "red"))));
    }
}
