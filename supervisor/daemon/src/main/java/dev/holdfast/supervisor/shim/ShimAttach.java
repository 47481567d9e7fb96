package dev.holdfast.supervisor.shim;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

/**
 * One {@code attach} connection to a shim, after its {@code ok}: output frames
 * ({@code <1 byte stream><4 bytes big-endian length><data>}) until the process has exited, and the process's stdin
 * the other way. One thread may read frames while another writes stdin; {@link #close()} from any thread ends both.
 */
public final class ShimAttach implements AutoCloseable {
    static final int BUFFER_SIZE = 64 * 1024;
    /** The shim sends what one read of the pipe gave; anything this large is not a frame. */
    private static final int MAX_FRAME = 1024 * 1024;
    private static final int HEADER = 5;

    /** One frame: stream 1 is stdout, 2 stderr. */
    public record Frame(int stream, byte[] data) {}

    private final SocketChannel channel;
    /** Bytes read from the channel and not yet consumed, in read mode. */
    private final ByteBuffer in;

    ShimAttach(SocketChannel channel, ByteBuffer pending) {
        this.channel = channel;
        this.in = pending;
    }

    /**
     * The next frame, or null at the end of the output (the shim closed the connection).
     *
     * @throws IOException when the connection fails or carries something that is not a frame
     */
    public Frame readFrame() throws IOException {
        if (!fill(HEADER)) {
            if (in.hasRemaining()) {
                throw new EOFException("shim closed the attach connection inside a frame header");
            }
            return null;
        }
        int stream = in.get() & 0xff;
        int length = in.getInt();
        if (length < 0 || length > MAX_FRAME) {
            throw new IOException("shim sent a frame of " + Integer.toUnsignedString(length) + " bytes");
        }
        byte[] data = new byte[length];
        int off = 0;
        while (off < length) {
            if (!in.hasRemaining() && !fill(1)) {
                throw new EOFException("shim closed the attach connection inside a frame");
            }
            int n = Math.min(in.remaining(), length - off);
            in.get(data, off, n);
            off += n;
        }
        return new Frame(stream, data);
    }

    /** Writes {@code data} to the process's stdin (blocks while the shim does not take it). */
    public void writeStdin(ByteBuffer data) throws IOException {
        while (data.hasRemaining()) {
            channel.write(data);
        }
    }

    /** Ends our side of the connection: the shim sees EOF on stdin (with stdin-once, the process's stdin closes). */
    public void endStdin() throws IOException {
        channel.shutdownOutput();
    }

    @Override
    public void close() {
        ShimConnection.closeQuietly(channel);
    }

    /** Reads until at least {@code n} bytes are buffered; false at EOF before that. */
    private boolean fill(int n) throws IOException {
        while (in.remaining() < n) {
            in.compact();
            int r;
            try {
                r = channel.read(in);
            } finally {
                in.flip();
            }
            if (r < 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * Reads the answer line of the attach request from {@code ch} through {@code buffer}; whatever followed the line
     * (the first frames) stays in {@code buffer}, which is left in read mode.
     */
    static String readLine(SocketChannel ch, ByteBuffer buffer) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        buffer.clear();
        while (true) {
            int r = ch.read(buffer);
            if (r < 0) {
                throw new EOFException("shim closed the connection without answering");
            }
            buffer.flip();
            while (buffer.hasRemaining()) {
                byte b = buffer.get();
                if (b == '\n') {
                    buffer.compact().flip();
                    return line.toString(StandardCharsets.UTF_8);
                }
                line.write(b);
                if (line.size() > 4096) {
                    throw new IOException("shim answer longer than 4096 bytes");
                }
            }
            buffer.clear();
        }
    }
}
