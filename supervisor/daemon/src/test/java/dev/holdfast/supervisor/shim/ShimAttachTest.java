package dev.holdfast.supervisor.shim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The attach handshake and framing against a fake shim on a unix socket. */
class ShimAttachTest {
    private interface FakeShim {
        void serve(SocketChannel client) throws Exception;
    }

    private static CompletableFuture<Void> fakeShim(Path socket, FakeShim behaviour) throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        CompletableFuture<Void> done = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try (server; SocketChannel c = server.accept()) {
                behaviour.serve(c);
                done.complete(null);
            } catch (Throwable t) {
                done.completeExceptionally(t);
            }
        });
        return done;
    }

    private static String readLine(SocketChannel c) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        ByteBuffer one = ByteBuffer.allocate(1);
        while (true) {
            one.clear();
            if (c.read(one) < 0) {
                throw new IOException("eof");
            }
            if (one.get(0) == '\n') {
                return line.toString(StandardCharsets.US_ASCII);
            }
            line.write(one.get(0));
        }
    }

    private static byte[] frame(int stream, String data) {
        byte[] d = data.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(5 + d.length).put((byte) stream).putInt(d.length).put(d).array();
    }

    private static void write(SocketChannel c, byte[]... parts) throws IOException {
        for (byte[] p : parts) {
            ByteBuffer b = ByteBuffer.wrap(p);
            while (b.hasRemaining()) {
                c.write(b);
            }
        }
    }

    @Test
    void framesAfterTheAnswerLineStdinAndEndOfStdin(@TempDir Path dir) throws Exception {
        Path socket = dir.resolve("s.sock");
        CompletableFuture<String> stdin = new CompletableFuture<>();
        CompletableFuture<Void> shim = fakeShim(socket, c -> {
            assertEquals("attach stdin-once", readLine(c));
            byte[] first = frame(1, "out");
            byte[] second = frame(2, "err");
            // The answer and the first frame in one write; the second frame split inside its header.
            ByteBuffer b = ByteBuffer.allocate(3 + first.length).put("ok\n".getBytes(StandardCharsets.US_ASCII))
                    .put(first);
            write(c, b.array(), java.util.Arrays.copyOf(second, 2));
            write(c, java.util.Arrays.copyOfRange(second, 2, second.length));
            ByteArrayOutputStream in = new ByteArrayOutputStream();
            ByteBuffer buf = ByteBuffer.allocate(64);
            while (c.read(buf.clear()) >= 0) {
                in.write(buf.array(), 0, buf.position());
            }
            stdin.complete(in.toString(StandardCharsets.UTF_8));
        });
        try (ShimAttach a = new ShimConnection(socket).attach(true)) {
            ShimAttach.Frame f = a.readFrame();
            assertEquals(1, f.stream());
            assertArrayEquals("out".getBytes(StandardCharsets.UTF_8), f.data());
            f = a.readFrame();
            assertEquals(2, f.stream());
            assertArrayEquals("err".getBytes(StandardCharsets.UTF_8), f.data());
            a.writeStdin(ByteBuffer.wrap("typed".getBytes(StandardCharsets.UTF_8)));
            a.endStdin();
            assertEquals("typed", stdin.get(10, TimeUnit.SECONDS));
            assertNull(a.readFrame(), "EOF once the shim closes");
        }
        shim.get(10, TimeUnit.SECONDS);
    }

    @Test
    void errorAnswerAndTruncatedFrames(@TempDir Path dir) throws Exception {
        Path refusing = dir.resolve("r.sock");
        CompletableFuture<Void> shim = fakeShim(refusing, c -> {
            assertEquals("attach", readLine(c));
            write(c, "error container is not running\n".getBytes(StandardCharsets.US_ASCII));
        });
        ShimException e = assertThrows(ShimException.class, () -> new ShimConnection(refusing).attach(false));
        assertEquals("container is not running", e.getMessage());
        shim.get(10, TimeUnit.SECONDS);

        Path cut = dir.resolve("c.sock");
        shim = fakeShim(cut, c -> {
            readLine(c);
            write(c, "ok\n".getBytes(StandardCharsets.US_ASCII), java.util.Arrays.copyOf(frame(1, "abcdef"), 7));
        });
        try (ShimAttach a = new ShimConnection(cut).attach(false)) {
            assertThrows(IOException.class, a::readFrame);
        }
        shim.get(10, TimeUnit.SECONDS);
    }
}
