package dev.holdfast.bench.api;

import dev.holdfast.bench.harness.Errors;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A keep-alive HTTP/1.1 connection to a Docker API socket. Not thread safe: one per thread. A request that takes
 * longer than its timeout gets its connection closed (the read then fails).
 */
public final class UnixHttp implements Closeable {
    private static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "http-watchdog");
        t.setDaemon(true);
        return t;
    });

    private final Path socket;
    private SocketChannel ch;
    private final ByteBuffer in = ByteBuffer.allocate(64 * 1024);
    private final ByteBuffer out = ByteBuffer.allocate(16 * 1024);
    private byte[] line = new byte[256];

    public UnixHttp(Path socket) throws IOException {
        this.socket = socket;
        connect();
    }

    private void connect() throws IOException {
        ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.connect(UnixDomainSocketAddress.of(socket));
        } catch (IOException e) {
            ch.close();
            throw e;
        }
        in.clear().flip();
    }

    /** Connects, or returns null when nothing accepts on the socket. */
    public static UnixHttp tryOpen(Path socket) {
        try {
            return new UnixHttp(socket);
        } catch (IOException e) {
            return null;
        }
    }

    public Response get(String path) throws IOException {
        return request("GET", path, null, 60_000);
    }

    public Response post(String path, String jsonBody) throws IOException {
        return request("POST", path, jsonBody == null ? null : jsonBody.getBytes(StandardCharsets.UTF_8), 60_000);
    }

    public Response delete(String path) throws IOException {
        return request("DELETE", path, null, 60_000);
    }

    public Response request(String method, String path, byte[] body, long timeoutMs) throws IOException {
        ScheduledFuture<?> dog = timeoutMs > 0 ? WATCHDOG.schedule(this::closeQuietly, timeoutMs,
                TimeUnit.MILLISECONDS) : null;
        try {
            if (!ch.isOpen()) {
                connect();
            }
            send(method, path, body);
            return receive(method);
        } catch (IOException e) {
            closeQuietly();
            if (dog != null && dog.isDone()) {
                throw new IOException(method + " " + path + ": no answer within " + timeoutMs + " ms");
            }
            throw new IOException(method + " " + path + ": " + e, e);
        } finally {
            if (dog != null) {
                dog.cancel(false);
            }
        }
    }

    private void send(String method, String path, byte[] body) throws IOException {
        StringBuilder sb = new StringBuilder(128);
        sb.append(method).append(' ').append(path).append(" HTTP/1.1\r\nHost: docker\r\n");
        if (body != null) {
            sb.append("Content-Type: application/json\r\nContent-Length: ").append(body.length).append("\r\n");
        } else if (!method.equals("GET")) {
            sb.append("Content-Length: 0\r\n");
        }
        sb.append("\r\n");
        byte[] head = sb.toString().getBytes(StandardCharsets.ISO_8859_1);
        out.clear();
        if (head.length + (body == null ? 0 : body.length) <= out.capacity()) {
            out.put(head);
            if (body != null) {
                out.put(body);
            }
            out.flip();
            writeFully(out);
        } else {
            writeFully(ByteBuffer.wrap(head));
            writeFully(ByteBuffer.wrap(body));
        }
    }

    private void writeFully(ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    private boolean fill() throws IOException {
        in.compact();
        int n = ch.read(in);
        in.flip();
        return n > 0;
    }

    private String readLine() throws IOException {
        int len = 0;
        while (true) {
            while (in.hasRemaining()) {
                byte b = in.get();
                if (b == '\n') {
                    if (len > 0 && line[len - 1] == '\r') {
                        len--;
                    }
                    return new String(line, 0, len, StandardCharsets.ISO_8859_1);
                }
                if (len == line.length) {
                    line = Arrays.copyOf(line, len * 2);
                }
                line[len++] = b;
            }
            if (!fill()) {
                throw new IOException("connection closed by the daemon");
            }
        }
    }

    private void readBody(ByteArrayOutputStream body, long n) throws IOException {
        while (n > 0) {
            if (!in.hasRemaining() && !fill()) {
                throw new IOException("connection closed in the middle of a body");
            }
            int k = (int) Math.min(n, in.remaining());
            body.write(in.array(), in.arrayOffset() + in.position(), k);
            in.position(in.position() + k);
            n -= k;
        }
    }

    private Response receive(String method) throws IOException {
        String status = readLine();
        if (!status.startsWith("HTTP/1.")) {
            throw new IOException("not an HTTP answer: " + Errors.oneLine(status));
        }
        int code = Integer.parseInt(status.substring(9, 12));
        long length = -1;
        boolean chunked = false;
        boolean close = false;
        for (String h = readLine(); !h.isEmpty(); h = readLine()) {
            int colon = h.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String name = h.substring(0, colon).strip().toLowerCase(Locale.ROOT);
            String value = h.substring(colon + 1).strip();
            switch (name) {
                case "content-length" -> length = Long.parseLong(value);
                case "transfer-encoding" -> chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
                case "connection" -> close = value.equalsIgnoreCase("close");
                default -> { }
            }
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream(length > 0 ? (int) Math.min(length, 1 << 20) : 256);
        if (method.equals("HEAD") || code == 204 || code == 304 || (code >= 100 && code < 200)) {
            // no body
        } else if (chunked) {
            while (true) {
                String size = readLine();
                int semi = size.indexOf(';');
                long n = Long.parseLong((semi >= 0 ? size.substring(0, semi) : size).strip(), 16);
                if (n == 0) {
                    while (!readLine().isEmpty()) {
                        // trailers
                    }
                    break;
                }
                readBody(body, n);
                readLine();
            }
        } else if (length >= 0) {
            readBody(body, length);
        } else {
            while (true) {
                if (in.hasRemaining()) {
                    body.write(in.array(), in.arrayOffset() + in.position(), in.remaining());
                    in.position(in.limit());
                }
                if (!fill()) {
                    break;
                }
            }
            close = true;
        }
        if (close) {
            closeQuietly();
        }
        return new Response(code, body.toByteArray());
    }

    public void closeQuietly() {
        try {
            ch.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    @Override
    public void close() {
        closeQuietly();
    }
}
