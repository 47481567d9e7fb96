package dev.holdfast.engine.log;

import dev.holdfast.engine.api.ApiVersion;
import dev.holdfast.engine.time.Timestamps;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;

/**
 * Writes log entries the way Docker sends them: for a container without a tty, each entry is a frame of the
 * multiplexed stream (stream byte 1 or 2, three zero bytes, big-endian uint32 length, payload); with a tty, raw.
 * <p>
 * Entries are gathered into one buffer and go out {@value #BUFFER} bytes at a time, or at {@link #flush()}: a write
 * to the client (an HTTP chunk, a wakeup of the event loop, a syscall) per 100-byte line is what made reading a log
 * slower than the container wrote it. Whoever writes must flush before waiting for more.
 */
public final class LogSink {
    public static final String MULTIPLEXED = "application/vnd.docker.multiplexed-stream";
    public static final String RAW = "application/vnd.docker.raw-stream";
    static final int BUFFER = 64 * 1024;
    private static final int HEADER = 8;

    private final OutputStream out;
    private final boolean framed;
    private final boolean timestamps;
    private byte[] buffer = new byte[BUFFER];
    private int length;
    private byte[] stamp;
    private long stampSecond;

    public LogSink(OutputStream out, boolean framed, boolean timestamps) {
        this.out = out;
        this.framed = framed;
        this.timestamps = timestamps;
    }

    public void write(LogEntry entry) throws IOException {
        byte[] text = entry.text().getBytes(StandardCharsets.UTF_8);
        write(entry.stream(), entry.time(), text, 0, text.length);
    }

    /** An entry whose text is the UTF-8 bytes {@code text[from, to)}. */
    void write(LogEntry.Stream stream, Instant time, byte[] text, int from, int to) throws IOException {
        byte[] prefix = timestamps ? timestampPrefix(time) : null;
        int payload = (prefix == null ? 0 : prefix.length) + to - from;
        int frame = (framed ? HEADER : 0) + payload;
        if (length + frame > buffer.length) {
            flush();
            if (frame > buffer.length) {
                buffer = Arrays.copyOf(buffer, frame);
            }
        }
        if (framed) {
            buffer[length] = (byte) stream.frameId;
            buffer[length + 1] = 0;
            buffer[length + 2] = 0;
            buffer[length + 3] = 0;
            buffer[length + 4] = (byte) (payload >>> 24);
            buffer[length + 5] = (byte) (payload >>> 16);
            buffer[length + 6] = (byte) (payload >>> 8);
            buffer[length + 7] = (byte) payload;
            length += HEADER;
        }
        if (prefix != null) {
            System.arraycopy(prefix, 0, buffer, length, prefix.length);
            length += prefix.length;
        }
        System.arraycopy(text, from, buffer, length, to - from);
        length += to - from;
    }

    /**
     * {@link Timestamps#formatFixed} and a space, as ASCII: the date and time to the second are formatted once per
     * second of log, the nine fraction digits here (formatting the whole of it per line cost more than the line).
     */
    private byte[] timestampPrefix(Instant time) {
        if (stamp == null || time.getEpochSecond() != stampSecond) {
            String fixed = Timestamps.formatFixed(Instant.ofEpochSecond(time.getEpochSecond()));
            String date = fixed.substring(0, fixed.length() - ".000000000Z".length());
            stamp = (date + ".000000000Z ").getBytes(StandardCharsets.US_ASCII);
            stampSecond = time.getEpochSecond();
        }
        int nanos = time.getNano();
        for (int i = stamp.length - 3; i >= stamp.length - 11; i--) {
            stamp[i] = (byte) ('0' + nanos % 10);
            nanos /= 10;
        }
        return stamp;
    }

    /** Sends what is gathered. */
    public void flush() throws IOException {
        if (length > 0) {
            int n = length;
            length = 0;
            out.write(buffer, 0, n);
            if (buffer.length > BUFFER) {
                buffer = new byte[BUFFER]; // one long line made it grow: not kept for the rest of the read
            }
        }
    }

    public static byte[] frameHeader(LogEntry.Stream stream, int length) {
        return new byte[] {(byte) stream.frameId, 0, 0, 0,
                (byte) (length >>> 24), (byte) (length >>> 16), (byte) (length >>> 8), (byte) length};
    }

    /** Docker's content type for a log or attach stream; clients before API 1.42 only know the raw one. */
    public static String contentType(boolean tty, ApiVersion version) {
        return !tty && version.atLeast(1, 42) ? MULTIPLEXED : RAW;
    }
}
