package dev.holdfast.bench.measure;

import dev.holdfast.bench.harness.Errors;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * {@code GET PATH} to a published port on 127.0.0.1, on a new connection with a short timeout: it succeeds when
 * it gets {@code HTTP 200} with the file's content ({@code expect}) in time.
 */
final class PortGet implements PacedRequests.Request {
    final int port;
    final String path;
    private final String expect;
    private final int timeoutMs;

    PortGet(int port, String path, String expect, int timeoutMs) {
        this.port = port;
        this.path = path;
        this.expect = expect;
        this.timeoutMs = timeoutMs;
    }

    @Override
    public PacedRequests.Answer send() {
        long t0 = System.nanoTime();
        try (Socket s = new Socket()) {
            try {
                s.connect(new InetSocketAddress("127.0.0.1", port), timeoutMs);
            } catch (IOException e) {
                return PacedRequests.Answer.unreachable(Errors.reason(e));
            }
            s.setSoTimeout(timeoutMs);
            OutputStream out = s.getOutputStream();
            out.write(("GET " + path + " HTTP/1.0\r\nHost: 127.0.0.1:" + port + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            byte[] b = new byte[4096];
            int n;
            while ((n = in.read(b)) >= 0) {
                buf.write(b, 0, n);
                if (System.nanoTime() - t0 > timeoutMs * 1_000_000L) {
                    return PacedRequests.Answer.failed("no complete answer within " + timeoutMs + " ms");
                }
            }
            String text = buf.toString(StandardCharsets.ISO_8859_1);
            int eol = text.indexOf("\r\n");
            String status = eol < 0 ? text : text.substring(0, eol);
            if (!status.matches("HTTP/1\\.[01] 200.*")) {
                return PacedRequests.Answer.failed("answered " + (status.isEmpty() ? "nothing"
                        : Errors.oneLine(status)));
            }
            if (!text.contains(expect)) {
                return PacedRequests.Answer.failed("200 without the file's content");
            }
            return PacedRequests.Answer.OK;
        } catch (Exception e) {
            return PacedRequests.Answer.failed(Errors.reason(e));
        }
    }
}
