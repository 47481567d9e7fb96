package dev.holdfast.engine.log;

import dev.holdfast.engine.api.ApiVersion;
import dev.holdfast.engine.time.Timestamps;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Writes log entries the way Docker sends them: for a container without a tty, each entry is a frame of the
 * multiplexed stream (stream byte 1 or 2, three zero bytes, big-endian uint32 length, payload); with a tty, raw.
 */
public final class LogSink {
    public static final String MULTIPLEXED = "application/vnd.docker.multiplexed-stream";
    public static final String RAW = "application/vnd.docker.raw-stream";

    private final OutputStream out;
    private final boolean framed;
    private final boolean timestamps;

    public LogSink(OutputStream out, boolean framed, boolean timestamps) {
        this.out = out;
        this.framed = framed;
        this.timestamps = timestamps;
    }

    public void write(LogEntry entry) throws IOException {
        String text = timestamps ? Timestamps.formatFixed(entry.time()) + " " + entry.text() : entry.text();
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        if (framed) {
            out.write(frameHeader(entry.stream(), payload.length));
        }
        out.write(payload);
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
