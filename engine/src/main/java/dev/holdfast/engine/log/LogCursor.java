package dev.holdfast.engine.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * A read position in a container's log that survives rotation: it keeps its file open (a rename does not disturb
 * an open file), and when that file is drained and no longer the live one, moves on to the next newer file.
 * Only complete lines are returned; a line the shim is still writing waits for its newline.
 */
public final class LogCursor implements AutoCloseable {
    private static final int BUFFER = 64 * 1024;

    private final LogFiles files;
    private final byte[] bytes = new byte[BUFFER];
    private final ByteBuffer buffer = ByteBuffer.wrap(bytes).flip();
    // The start of a line whose newline is not in the buffer yet.
    private byte[] partial = new byte[1024];
    private int partialLength;
    private FileChannel channel;
    private Object key;
    // The line advance() found: lineBytes[lineStart, lineEnd).
    private byte[] lineBytes;
    private int lineStart;
    private int lineEnd;

    private LogCursor(LogFiles files) {
        this.files = files;
    }

    /** At the first byte of the oldest file. */
    public static LogCursor atStart(LogFiles files) throws IOException {
        LogCursor cursor = new LogCursor(files);
        Optional<Path> oldest = files.oldestFirst().stream().findFirst();
        if (oldest.isPresent()) {
            cursor.open(oldest.get(), 0);
        }
        return cursor;
    }

    /** After the last complete line written so far: what a client attaching now should see from. */
    public static LogCursor atEnd(LogFiles files) throws IOException {
        LogCursor cursor = new LogCursor(files);
        if (Files.exists(files.live())) {
            cursor.open(files.live(), -1);
        }
        return cursor;
    }

    /** Before the last {@code lines} lines, counted across rotated files. */
    public static LogCursor beforeLast(LogFiles files, long lines) throws IOException {
        LogCursor cursor = new LogCursor(files);
        long needed = lines;
        var all = files.oldestFirst();
        for (int i = all.size() - 1; i >= 0; i--) {
            Path file = all.get(i);
            long[] found = TailScan.startOfLastLines(file, needed);
            if (found[0] >= 0 || i == 0) {
                cursor.open(file, Math.max(found[0], 0));
                return cursor;
            }
            needed -= found[1];
        }
        return cursor;
    }

    /** The next complete line (without its newline), or null when none is available yet. */
    public byte[] nextLine() throws IOException {
        return advance() ? Arrays.copyOfRange(lineBytes, lineStart, lineEnd) : null;
    }

    /**
     * Moves to the next complete line; false when none is available yet. The line is then
     * {@link #lineBytes()}{@code [}{@link #lineStart()}{@code , }{@link #lineEnd()}{@code )}, valid until the next
     * call: no copy, which is what lets a reader keep up with a container writing short lines.
     */
    public boolean advance() throws IOException {
        while (true) {
            if (channel == null && !openLive()) {
                return false;
            }
            if (lineFromChannel()) {
                return true;
            }
            // Drained. If rotation renamed our file away, the rest of the log is in newer files.
            if (Objects.equals(LogFiles.key(files.live()), key)) {
                return false;
            }
            Optional<Path> next = files.newerThan(key);
            if (next.isEmpty()) {
                return false;
            }
            partialLength = 0;
            open(next.get(), 0);
        }
    }

    byte[] lineBytes() {
        return lineBytes;
    }

    int lineStart() {
        return lineStart;
    }

    int lineEnd() {
        return lineEnd;
    }

    private boolean openLive() throws IOException {
        if (!Files.exists(files.live())) {
            return false;
        }
        open(files.live(), 0);
        return true;
    }

    private boolean lineFromChannel() throws IOException {
        while (true) {
            int from = buffer.position();
            int limit = buffer.limit();
            for (int i = from; i < limit; i++) {
                if (bytes[i] == '\n') {
                    buffer.position(i + 1);
                    if (partialLength == 0) {
                        lineBytes = bytes;
                        lineStart = from;
                        lineEnd = i;
                    } else {
                        keepPartial(from, i);
                        lineBytes = partial;
                        lineStart = 0;
                        lineEnd = partialLength;
                        partialLength = 0;
                    }
                    return true;
                }
            }
            keepPartial(from, limit);
            buffer.clear();
            int n = channel.read(buffer);
            buffer.flip();
            if (n <= 0) {
                return false;
            }
        }
    }

    /** Appends {@code bytes[from, to)} to the line still waiting for its newline. */
    private void keepPartial(int from, int to) {
        int n = to - from;
        if (partialLength + n > partial.length) {
            partial = Arrays.copyOf(partial, Math.max(partialLength + n, partial.length * 2));
        }
        System.arraycopy(bytes, from, partial, partialLength, n);
        partialLength += n;
    }

    /** Opens {@code file} at {@code offset}, or at its end when offset is negative. */
    private void open(Path file, long offset) throws IOException {
        close();
        try {
            channel = FileChannel.open(file, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            return;
        }
        key = LogFiles.key(file);
        channel.position(offset < 0 ? channel.size() : offset);
        buffer.clear().flip();
    }

    @Override
    public void close() throws IOException {
        if (channel != null) {
            channel.close();
            channel = null;
        }
    }
}
