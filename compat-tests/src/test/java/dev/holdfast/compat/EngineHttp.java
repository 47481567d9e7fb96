package dev.holdfast.compat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Hand-written HTTP/1.1 over the engine's unix socket, for what the docker CLI never sends (malformed bodies, odd
 * versions, unknown paths) and for status codes the CLI does not show. One request per connection
 * ({@code Connection: close}); the answer is read by Content-Length, chunked encoding or to EOF.
 *
 * <pre>{@code
 * EngineHttp http = new EngineHttp(holdfast.socket());
 * EngineHttp.Response r = http.post("/v1.47/containers/create", "application/json", "{");
 * assertEquals(400, r.status());
 * }</pre>
 */
final class EngineHttp {

    static final ObjectMapper JSON = new ObjectMapper();
    static final Duration TIMEOUT = Duration.ofSeconds(30);

    private static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "engine-http-watchdog");
        t.setDaemon(true);
        return t;
    });

    private final Path socket;

    EngineHttp(Path socket) {
        this.socket = socket;
    }

    /** An answer: status, headers (names in lower case) and the (de-chunked) body. */
    record Response(int status, Map<String, String> headers, byte[] body) {

        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + this, e);
            }
        }

        /** Docker's error body {@code {"message": "..."}}: the message, failing when the body has another shape. */
        String message() {
            JsonNode json = json();
            if (json == null || !json.isObject() || !json.path("message").isTextual()) {
                throw new AssertionError("not a {\"message\": ...} error body: " + this);
            }
            return json.get("message").asText();
        }

        @Override
        public String toString() {
            return "HTTP " + status + " " + headers + "\n" + text();
        }
    }

    Response get(String path) {
        return request("GET", path, Map.of(), null);
    }

    Response head(String path) {
        return request("HEAD", path, Map.of(), null);
    }

    Response delete(String path) {
        return request("DELETE", path, Map.of(), null);
    }

    /** POST without a body. */
    Response post(String path) {
        return request("POST", path, Map.of(), null);
    }

    Response post(String path, String contentType, String body) {
        return post(path, contentType, body.getBytes(StandardCharsets.UTF_8));
    }

    Response post(String path, String contentType, byte[] body) {
        Map<String, String> headers = new LinkedHashMap<>();
        if (contentType != null) {
            headers.put("Content-Type", contentType);
        }
        return request("POST", path, headers, body);
    }

    /** A request with {@code headers} (Host, Connection and Content-Length are added) and an optional body. */
    Response request(String method, String path, Map<String, String> headers, byte[] body) {
        ByteArrayOutputStream request = new ByteArrayOutputStream();
        StringBuilder head = new StringBuilder();
        head.append(method).append(' ').append(path).append(" HTTP/1.1\r\n");
        head.append("Host: holdfast\r\n");
        head.append("User-Agent: holdfast-compat-tests\r\n");
        head.append("Connection: close\r\n");
        headers.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
        if (body != null) {
            head.append("Content-Length: ").append(body.length).append("\r\n");
        }
        head.append("\r\n");
        request.writeBytes(head.toString().getBytes(StandardCharsets.ISO_8859_1));
        if (body != null) {
            request.writeBytes(body);
        }
        return raw(request.toByteArray(), method.equals("HEAD"));
    }

    /** Sends {@code request} exactly as given and reads one answer. */
    Response raw(byte[] request, boolean headRequest) {
        Response answer = exchange(request, headRequest, false);
        if (answer == null) {
            throw new UncheckedIOException("HTTP over " + socket, new IOException("connection closed before an answer"));
        }
        return answer;
    }

    /**
     * Sends {@code request} (a broken or cut-short one), then ends the stream, as a client that gives up does; the
     * answer, or null when the engine closed the connection without one.
     */
    Response rawThenEnd(byte[] request) {
        return exchange(request, false, true);
    }

    /** Sends {@code request} one byte every {@code pauseMillis} (a slow client), then reads the answer. */
    Response slowly(byte[] request, long pauseMillis) {
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(socket));
            for (byte b : request) {
                channel.write(ByteBuffer.wrap(new byte[] {b}));
                Thread.sleep(pauseMillis); // the slowness under test
            }
            Response answer = read(new Reader(channel), false);
            if (answer == null) {
                throw new IOException("connection closed before an answer");
            }
            return answer;
        } catch (IOException e) {
            throw new UncheckedIOException("HTTP over " + socket, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /**
     * A request to an endpoint that may stream for ever (attach, logs follow, events, exec start, wait, stats): the
     * status and headers must come within {@link #TIMEOUT}; an error's body is read whole, a stream's for
     * {@code budget} (at most {@code maxBody} bytes kept), then the client hangs up, as a docker CLI that is stopped
     * does.
     */
    Response stream(byte[] request, Duration budget, int maxBody) {
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(socket));
            ScheduledFuture<?> hangUp = hangUp(channel, TIMEOUT);
            Reader in = new Reader(channel);
            Response head;
            try {
                ByteBuffer out = ByteBuffer.wrap(request);
                while (out.hasRemaining()) {
                    channel.write(out);
                }
                head = readHead(in);
            } catch (java.nio.channels.ClosedChannelException e) {
                throw new AssertionError("no status line from " + socket + " within " + TIMEOUT, e);
            }
            if (head == null) {
                throw new IOException("connection closed before an answer");
            }
            hangUp.cancel(false);
            if (head.status() >= 400) {
                return readBody(in, head, false);
            }
            hangUp = hangUp(channel, budget);
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            try {
                byte[] chunk;
                while ((chunk = in.some()) != null) {
                    body.write(chunk, 0, Math.min(chunk.length, Math.max(0, maxBody - body.size())));
                }
            } catch (java.nio.channels.ClosedChannelException budgetOver) {
                // the stream was still going when the client hung up
            }
            hangUp.cancel(false);
            return new Response(head.status(), head.headers(), body.toByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException("HTTP over " + socket, e);
        }
    }

    private static ScheduledFuture<?> hangUp(SocketChannel channel, Duration after) {
        return WATCHDOG.schedule(() -> {
            try {
                channel.close();
            } catch (IOException ignored) {
                // closing is all we can do
            }
        }, after.toMillis(), TimeUnit.MILLISECONDS);
    }

    private Response exchange(byte[] request, boolean headRequest, boolean endAfterRequest) {
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ScheduledFuture<?> watchdog = hangUp(channel, TIMEOUT);
            try {
                channel.connect(UnixDomainSocketAddress.of(socket));
                ByteBuffer out = ByteBuffer.wrap(request);
                while (out.hasRemaining()) {
                    channel.write(out);
                }
                if (endAfterRequest) {
                    channel.shutdownOutput();
                }
                return read(new Reader(channel), headRequest);
            } finally {
                watchdog.cancel(false);
            }
        } catch (java.nio.channels.ClosedChannelException e) {
            throw new AssertionError("no complete answer from " + socket + " within " + TIMEOUT, e);
        } catch (IOException e) {
            throw new UncheckedIOException("HTTP over " + socket, e);
        }
    }

    private static Response read(Reader in, boolean headRequest) throws IOException {
        Response head = readHead(in);
        return head == null ? null : readBody(in, head, headRequest);
    }

    /** The status line and headers, as a Response with no body; null when the connection ended before them. */
    private static Response readHead(Reader in) throws IOException {
        String statusLine = in.line();
        if (statusLine == null) {
            return null;
        }
        String[] parts = statusLine.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
            throw new IOException("not an HTTP status line: " + statusLine);
        }
        int status = Integer.parseInt(parts[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        String line;
        while ((line = in.line()) != null && !line.isEmpty()) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
            }
        }
        return new Response(status, headers, new byte[0]);
    }

    private static Response readBody(Reader in, Response head, boolean headRequest) throws IOException {
        int status = head.status();
        Map<String, String> headers = head.headers();
        String line;
        byte[] body;
        if (headRequest || status == 204 || status == 304 || status / 100 == 1) {
            body = new byte[0];
        } else if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            while (true) {
                String size = in.line();
                if (size == null) {
                    throw new IOException("chunked body cut short");
                }
                int semicolon = size.indexOf(';');
                int n = Integer.parseInt((semicolon >= 0 ? size.substring(0, semicolon) : size).trim(), 16);
                if (n == 0) {
                    while ((line = in.line()) != null && !line.isEmpty()) {
                        // trailers
                    }
                    break;
                }
                all.writeBytes(in.bytes(n));
                in.line();
            }
            body = all.toByteArray();
        } else if (headers.containsKey("content-length")) {
            body = in.bytes(Integer.parseInt(headers.get("content-length")));
        } else {
            body = in.rest();
        }
        return new Response(status, headers, body);
    }

    /** Buffered reads from the channel: CRLF lines, exact byte counts, or everything up to EOF. */
    private static final class Reader {
        private final SocketChannel channel;
        private final ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);

        Reader(SocketChannel channel) {
            this.channel = channel;
            buffer.flip();
        }

        private boolean fill() throws IOException {
            buffer.compact();
            int n = channel.read(buffer);
            buffer.flip();
            return n > 0;
        }

        String line() throws IOException {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            while (true) {
                while (buffer.hasRemaining()) {
                    byte b = buffer.get();
                    if (b == '\n') {
                        byte[] bytes = line.toByteArray();
                        int end = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                        return new String(bytes, 0, end, StandardCharsets.ISO_8859_1);
                    }
                    line.write(b);
                }
                if (!fill()) {
                    return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
                }
            }
        }

        byte[] bytes(int n) throws IOException {
            byte[] out = new byte[n];
            int off = 0;
            while (off < n) {
                if (!buffer.hasRemaining() && !fill()) {
                    throw new IOException("body cut short: " + off + " of " + n + " bytes");
                }
                int k = Math.min(n - off, buffer.remaining());
                buffer.get(out, off, k);
                off += k;
            }
            return out;
        }

        /** The bytes that are there or next arrive; null at EOF. */
        byte[] some() throws IOException {
            if (!buffer.hasRemaining() && !fill()) {
                return null;
            }
            byte[] chunk = new byte[buffer.remaining()];
            buffer.get(chunk);
            return chunk;
        }

        byte[] rest() throws IOException {
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            do {
                byte[] chunk = new byte[buffer.remaining()];
                buffer.get(chunk);
                all.writeBytes(chunk);
            } while (fill());
            return all.toByteArray();
        }
    }
}
