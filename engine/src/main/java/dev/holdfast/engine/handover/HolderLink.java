package dev.holdfast.engine.handover;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The engine's side of the handover with {@code holdfast-holder} (see docs/internals.md, "The socket holder"): the
 * holder starts an engine before the previous one has stopped, so the new one boots, reads the records without
 * changing anything, says {@code warm} and waits; only on {@code go} (the previous engine is gone, or there was none)
 * does it check that what it read still stands, recover what a crash left and take the socket.
 * Without {@code HOLDFAST_HANDOVER_FDS} the engine runs on its own: {@link #awaitGo} returns at once.
 */
public final class HolderLink {
    private static final HolderLink NONE = new HolderLink(null, null);
    private static final String GO = "go";
    private static final String GO_AFTER_RELEASE = "go released";

    private final Path goPipe;
    private final Path notifyPipe;

    private HolderLink(Path goPipe, Path notifyPipe) {
        this.goPipe = goPipe;
        this.notifyPipe = notifyPipe;
    }

    /** From {@code HOLDFAST_HANDOVER_FDS=GO,NOTIFY}: the pipe the holder's "go" comes on, the one we tell it on. */
    public static HolderLink fromEnvironment(Map<String, String> env) {
        String fds = env.get("HOLDFAST_HANDOVER_FDS");
        if (fds == null || fds.isBlank()) {
            return NONE;
        }
        String[] parts = fds.split(",");
        if (parts.length != 2 || !parts[0].trim().matches("\\d+") || !parts[1].trim().matches("\\d+")) {
            throw new IllegalArgumentException("HOLDFAST_HANDOVER_FDS wants GO_FD,NOTIFY_FD, got " + fds);
        }
        // A pipe's /proc/self/fd link opens the pipe itself: plain Java streams, no native descriptor juggling.
        return new HolderLink(Path.of("/proc/self/fd", parts[0].trim()), Path.of("/proc/self/fd", parts[1].trim()));
    }

    public boolean present() {
        return goPipe != null;
    }

    /**
     * True when this engine is a standby or a restart's new engine: the holder has not said "go" yet (it says it
     * at once to an engine it starts because none serves), so there is time to warm up first.
     */
    public boolean goDeferred() {
        return present() && !goPending();
    }

    /**
     * True when the holder's "go" waits in the pipe, unread: the serving engine is gone and clients wait for this
     * one, so whatever warming up is left should be cut short. Also true when the pipe cannot be asked: reading the
     * go will tell what happened.
     */
    public boolean goPending() {
        if (!present()) {
            return false;
        }
        // FileInputStream asks the pipe (FIONREAD); NIO's stream would answer a file's size, 0 for a pipe.
        try (InputStream in = new FileInputStream(goPipe.toFile())) {
            return in.available() > 0;
        } catch (IOException e) {
            return true;
        }
    }

    /**
     * Tells the holder this engine has booted, then waits for its "go", running {@code whileWaiting} every {@code
     * interval} meanwhile (a standby keeps what it read current). EOF: the holder is gone, so we stop.
     *
     * @return true when the previous engine released the socket in a graceful handover (its records and the tasks
     *     agreed a moment ago), false when it died or there was none
     */
    public boolean awaitGo(Duration interval, Runnable whileWaiting) throws IOException {
        if (!present()) {
            return false;
        }
        tell("warm");
        CompletableFuture<String> go = new CompletableFuture<>();
        Thread.ofPlatform().name("engine-await-go").daemon().start(() -> {
            try {
                go.complete(readGo());
            } catch (IOException | RuntimeException e) {
                go.completeExceptionally(e);
            }
        });
        while (true) {
            try {
                return go.get(interval.toMillis(), TimeUnit.MILLISECONDS).equals(GO_AFTER_RELEASE);
            } catch (TimeoutException e) {
                whileWaiting.run();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted waiting for the socket holder's go", e);
            } catch (ExecutionException e) {
                throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
            }
        }
    }

    /** The holder's go line: "go", or "go released" after a graceful release by the previous engine. */
    private String readGo() throws IOException {
        try (InputStream in = Files.newInputStream(goPipe)) {
            StringBuilder line = new StringBuilder();
            for (int b = in.read(); b != -1; b = in.read()) {
                if (b == '\n') {
                    if (line.toString().equals(GO) || line.toString().equals(GO_AFTER_RELEASE)) {
                        return line.toString();
                    }
                    line.setLength(0);
                } else {
                    line.append((char) b);
                }
            }
        }
        throw new IOException("the socket holder closed the handover pipe before it said go");
    }

    /** Tells the holder this engine answers on the socket now. */
    public void serving() throws IOException {
        if (present()) {
            tell("serving");
        }
    }

    /**
     * Tells the holder this engine has stopped serving and written all it will write: the next engine may go now,
     * while this JVM still exits (which may take a while: it writes its class-data archive). Best effort: the
     * holder also goes on our exit.
     */
    public void released() {
        if (present()) {
            try {
                tell("released");
            } catch (IOException e) {
                // The holder is gone or goes on our exit anyway.
            }
        }
    }

    private void tell(String word) throws IOException {
        try (OutputStream out = Files.newOutputStream(notifyPipe)) {
            out.write((word + "\n").getBytes(StandardCharsets.US_ASCII));
        }
    }
}
