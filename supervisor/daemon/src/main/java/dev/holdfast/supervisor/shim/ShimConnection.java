package dev.holdfast.supervisor.shim;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The client side of one shim's control socket ({@code <run>/shim/<id>.sock}, or an exec's): one request line
 * answered by one line, on a fresh connection per request ({@link #attach} keeps its connection). {@link #awaitExit()} blocks until the container exits; {@link #close()}
 * aborts any request in flight.
 */
public final class ShimConnection implements AutoCloseable {
    private static final int MAX_LINE = 64 * 1024;
    private static final Duration QUICK = Duration.ofSeconds(10);
    private static final Duration RUNC = Duration.ofSeconds(60);
    private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "shim-request-timer");
        t.setDaemon(true);
        return t;
    });

    private final Path socket;
    private final Set<SocketChannel> inFlight = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    public ShimConnection(Path socket) {
        this.socket = socket;
    }

    public Path socket() {
        return socket;
    }

    /** {@code state}. */
    public ShimState state() throws IOException {
        return parseState(call("state", QUICK));
    }

    /**
     * {@code start}. Container mode: runs {@code runc start}, answers {@code ok}; returns 0. Exec mode: runs
     * {@code runc exec}, answers {@code ok <pid>}; returns the exec'd process's pid.
     */
    public int start() throws IOException, ShimException {
        String answer = call("start", RUNC);
        if (answer.startsWith("ok ")) {
            try {
                return Integer.parseInt(answer.substring(3).strip());
            } catch (NumberFormatException e) {
                throw new IOException("unexpected shim answer: \"" + answer + "\"");
            }
        }
        expectOk(answer);
        return 0;
    }

    /** {@code resize <width> <height>}: the terminal size of a process started with a tty. */
    public void resize(int width, int height) throws IOException, ShimException {
        expectOk(call("resize " + width + " " + height, QUICK));
    }

    /** {@code close-stdin}: closes the process's stdin once pending input is written. */
    public void closeStdin() throws IOException, ShimException {
        expectOk(call("close-stdin", QUICK));
    }

    /**
     * {@code attach [stdin-once]}: a connection that streams the process's output frames and takes its stdin. The
     * caller closes it. {@link #close()} does not affect attach connections.
     */
    public ShimAttach attach(boolean stdinOnce) throws IOException, ShimException {
        String request = stdinOnce ? "attach stdin-once" : "attach";
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        ScheduledFuture<?> timer = TIMER.schedule(() -> closeQuietly(ch), QUICK.toMillis(), TimeUnit.MILLISECONDS);
        boolean handedOver = false;
        try {
            ch.connect(UnixDomainSocketAddress.of(socket));
            send(ch, request);
            ByteBuffer buffer = ByteBuffer.allocate(ShimAttach.BUFFER_SIZE);
            String answer = ShimAttach.readLine(ch, buffer);
            if (!timer.cancel(false)) {
                throw new InterruptedIOException("shim " + socket + " did not answer \"" + request + "\" within "
                        + QUICK.toSeconds() + "s");
            }
            expectOk(answer);
            handedOver = true;
            return new ShimAttach(ch, buffer);
        } catch (IOException e) {
            if (timer.isDone() && !timer.isCancelled()) {
                throw new InterruptedIOException("shim " + socket + " did not answer \"" + request + "\" within "
                        + QUICK.toSeconds() + "s");
            }
            throw e;
        } finally {
            timer.cancel(false);
            if (!handedOver) {
                closeQuietly(ch);
            }
        }
    }

    /** {@code kill <sig>}: kill(2) of the init process. */
    public void kill(int signal) throws IOException, ShimException {
        expectOk(call("kill " + signal, QUICK));
    }

    /** {@code kill-all <sig>}: {@code runc kill --all}. */
    public void killAll(int signal) throws IOException, ShimException {
        expectOk(call("kill-all " + signal, RUNC));
    }

    /** {@code wait}: blocks until the init process has exited. */
    public ShimState.Stopped awaitExit() throws IOException {
        if (parseState(call("wait", null)) instanceof ShimState.Stopped stopped) {
            return stopped;
        }
        throw new IOException("shim " + socket + " answered wait with a live state");
    }

    /** Aborts requests in flight (they fail with an IOException) and refuses new ones. */
    @Override
    public void close() {
        closed = true;
        for (SocketChannel ch : inFlight) {
            closeQuietly(ch);
        }
    }

    private static ShimState parseState(String line) throws IOException {
        try {
            return ShimState.parse(line);
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage());
        }
    }

    private void expectOk(String answer) throws IOException, ShimException {
        if (answer.equals("ok")) {
            return;
        }
        if (answer.equals("error") || answer.startsWith("error ")) {
            String msg = answer.length() > 6 ? answer.substring(6).strip() : "";
            throw new ShimException(msg.isEmpty() ? "(no message)" : msg);
        }
        throw new IOException("unexpected shim answer: \"" + answer + "\"");
    }

    /** Sends one request line and reads the answer line; {@code timeout} null means wait forever. */
    String call(String request, Duration timeout) throws IOException {
        if (closed) {
            throw new ClosedChannelException();
        }
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        inFlight.add(ch);
        ScheduledFuture<?> timer = timeout == null ? null
                : TIMER.schedule(() -> closeQuietly(ch), timeout.toMillis(), TimeUnit.MILLISECONDS);
        try {
            if (closed) {
                throw new ClosedChannelException();
            }
            ch.connect(UnixDomainSocketAddress.of(socket));
            send(ch, request);
            return readLine(ch);
        } catch (IOException e) {
            if (timer != null && timer.isDone() && !closed) {
                throw new InterruptedIOException("shim " + socket + " did not answer \"" + request + "\" within "
                        + timeout.toSeconds() + "s");
            }
            throw e;
        } finally {
            if (timer != null) {
                timer.cancel(false);
            }
            inFlight.remove(ch);
            closeQuietly(ch);
        }
    }

    private static void send(SocketChannel ch, String request) throws IOException {
        ByteBuffer out = ByteBuffer.wrap((request + "\n").getBytes(StandardCharsets.US_ASCII));
        while (out.hasRemaining()) {
            ch.write(out);
        }
    }

    private static String readLine(SocketChannel ch) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        ByteBuffer buf = ByteBuffer.allocate(512);
        while (true) {
            buf.clear();
            int n = ch.read(buf);
            if (n < 0) {
                throw new EOFException("shim closed the connection without answering");
            }
            for (int i = 0; i < n; i++) {
                byte b = buf.get(i);
                if (b == '\n') {
                    // One request, one answer: anything after the newline is not ours.
                    return line.toString(StandardCharsets.UTF_8);
                }
                line.write(b);
            }
            if (line.size() > MAX_LINE) {
                throw new IOException("shim answer longer than " + MAX_LINE + " bytes");
            }
        }
    }

    static void closeQuietly(SocketChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // nothing to do
        }
    }
}
