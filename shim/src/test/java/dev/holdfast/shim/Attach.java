package dev.holdfast.shim;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * An attach connection to a shim: sends the request, checks the "ok" line, then decodes frames into stdout and
 * stderr as they arrive. Reads block (tests bound them with @Timeout; the channel is interruptible).
 */
final class Attach implements AutoCloseable {
    private final SocketChannel ch;
    private final ByteBuffer buf = ByteBuffer.allocate(1 << 16);
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private boolean eof;

    private Attach(SocketChannel ch) {
        this.ch = ch;
        buf.limit(0);
    }

    /** Sends "attach[ option]"; the "ok\n" answer may arrive later (before any output), see {@link #readOk}. */
    static Attach open(Path socket, String request) throws IOException {
        return new Attach(Sandbox.send(socket, request));
    }

    void readOk() throws IOException {
        if (!fill(3)) {
            throw new AssertionError("attach: EOF before the answer");
        }
        byte[] ok = new byte[3];
        buf.get(ok);
        String s = new String(ok, StandardCharsets.US_ASCII);
        if (!s.equals("ok\n")) {
            throw new AssertionError("attach answer: " + s);
        }
    }

    void write(String s) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    /** EOF on the client's input (stdin-once: the process's stdin closes). */
    void shutdownInput() throws IOException {
        ch.shutdownOutput();
    }

    /** Reads frames until stdout contains text; fails at EOF. */
    String awaitStdout(String text) throws IOException {
        while (!stdout().contains(text)) {
            if (!nextFrame()) {
                throw new AssertionError("attach ended before stdout contained " + text + ": " + stdout());
            }
        }
        return stdout();
    }

    /** Reads frames until the shim closes the connection. */
    void readToEnd() throws IOException {
        while (nextFrame()) {
            // collecting
        }
    }

    String stdout() {
        return out.toString(StandardCharsets.UTF_8);
    }

    String stderr() {
        return err.toString(StandardCharsets.UTF_8);
    }

    private boolean nextFrame() throws IOException {
        if (!fill(5)) {
            if (buf.hasRemaining()) {
                throw new AssertionError("attach: EOF inside a frame header");
            }
            return false;
        }
        int stream = buf.get();
        int len = buf.getInt();
        ByteArrayOutputStream target = switch (stream) {
            case 1 -> out;
            case 2 -> err;
            default -> throw new AssertionError("attach: stream byte " + stream);
        };
        while (len > 0) {
            if (!fill(1)) {
                throw new AssertionError("attach: EOF inside a frame");
            }
            int n = Math.min(len, buf.remaining());
            target.write(buf.array(), buf.position(), n);
            buf.position(buf.position() + n);
            len -= n;
        }
        return true;
    }

    /** Makes at least n bytes readable (n <= 5, or 1); false at EOF. */
    private boolean fill(int n) throws IOException {
        while (buf.remaining() < n) {
            if (eof) {
                return false;
            }
            buf.compact();
            int r = ch.read(buf);
            buf.flip();
            if (r < 0) {
                eof = true;
            }
        }
        return true;
    }

    @Override
    public void close() throws IOException {
        ch.close();
    }
}
