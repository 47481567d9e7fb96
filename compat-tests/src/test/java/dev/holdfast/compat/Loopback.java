package dev.holdfast.compat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Plain HTTP/1.0 over a fresh TCP connection to 127.0.0.1, for published ports: every request is a new connection,
 * so every request goes through the kernel's DNAT rule again (no keep-alive hides a missing rule).
 */
final class Loopback {

    static final InetAddress LOCALHOST = InetAddress.getLoopbackAddress();

    private Loopback() {}

    /** A port that was free on 127.0.0.1 a moment ago: bound to an ephemeral port, then released. */
    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, LOCALHOST)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What one GET answered: the status code of the status line and the body. */
    record Response(int status, String body) {}

    /** {@code GET path} to 127.0.0.1:port with {@code timeout} for the connection and for each read. */
    static Response get(int port, String path, Duration timeout) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(LOCALHOST, port), (int) timeout.toMillis());
            socket.setSoTimeout((int) timeout.toMillis());
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + path + " HTTP/1.0\r\nHost: 127.0.0.1:" + port + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            in.transferTo(answer);
            String text = answer.toString(StandardCharsets.UTF_8);
            int lineEnd = text.indexOf("\r\n");
            String statusLine = lineEnd < 0 ? text : text.substring(0, lineEnd);
            String[] parts = statusLine.split(" ", 3);
            if (parts.length < 2 || !parts[0].startsWith("HTTP/")) {
                throw new IOException("not an HTTP answer from 127.0.0.1:" + port + ": " + text);
            }
            int headersEnd = text.indexOf("\r\n\r\n");
            return new Response(Integer.parseInt(parts[1]), headersEnd < 0 ? "" : text.substring(headersEnd + 4));
        }
    }

    /** {@code GET path}, failing the test on any I/O error. */
    static Response getOrFail(int port, String path) {
        try {
            return get(port, path, Duration.ofSeconds(5));
        } catch (IOException e) {
            throw new AssertionError("GET http://127.0.0.1:" + port + path + " failed: " + e, e);
        }
    }

    /** Whether a TCP connection to 127.0.0.1:port is actively refused (RST), as when nothing listens there. */
    static boolean refuses(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(LOCALHOST, port), 2000);
            return false;
        } catch (java.net.ConnectException refused) {
            return true;
        } catch (IOException other) {
            return false; // a timeout: something (a stale DNAT rule) swallowed the SYN
        }
    }
}
