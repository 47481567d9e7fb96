package dev.holdfast.engine.api;

import dev.holdfast.engine.task.InteractiveTasks;
import dev.holdfast.supervisor.api.AttachOpen;
import dev.holdfast.supervisor.api.AttachOutput;
import dev.holdfast.supervisor.api.AttachRequest;
import com.google.protobuf.ByteString;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One attach of a hijacked client connection to a process through the supervisor's Attach stream: output as
 * multiplexed frames (raw bytes with a tty), the client's bytes as stdin, its half-close as stdin_eof, and the
 * detach keys end the attach without touching the process.
 */
final class AttachSession implements StreamObserver<AttachOutput> {
    enum End { EXITED, DETACHED, CLIENT_GONE, FAILED }

    private final InteractiveTasks tasks;
    private final ResponseStream out;
    private final boolean tty;
    private final AttachOpen open;
    private final byte[] detachKeys;
    private static final long OPEN_TIMEOUT_SECONDS = 10;

    private final CompletableFuture<End> ended = new CompletableFuture<>();
    private final CompletableFuture<Void> acknowledged = new CompletableFuture<>();
    private StreamObserver<AttachRequest> requests;
    // stdin that arrived before the stream was opened (docker run sends it before it starts the container)
    private final java.util.List<AttachRequest> pending = new java.util.ArrayList<>();

    AttachSession(InteractiveTasks tasks, ResponseStream out, boolean tty, AttachOpen open, byte[] detachKeys) {
        this.tasks = tasks;
        this.out = out;
        this.tty = tty;
        this.open = open;
        this.detachKeys = detachKeys;
        out.closeFuture().addListener(f -> finish(End.CLIENT_GONE));
    }

    /**
     * Opens the supervisor's stream and returns once the supervisor acknowledged it (or the attach ended): a process
     * started after this returns loses no output to this attach.
     */
    void open() throws InterruptedException {
        sendOpen();
        try {
            acknowledged.get(OPEN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            finish(End.FAILED);
        }
    }

    private synchronized void sendOpen() {
        if (requests != null || ended.isDone()) {
            acknowledged.complete(null);
            return;
        }
        requests = tasks.attach(this);
        requests.onNext(AttachRequest.newBuilder().setOpen(open).build());
        pending.forEach(requests::onNext);
        pending.clear();
    }

    /** Relays the client's bytes as stdin on a virtual thread. */
    void pumpStdin(InputStream in) {
        Thread.ofVirtual().name("attach-stdin-" + open.getId()).start(() -> {
            byte[] buffer = new byte[8192];
            int matched = 0;
            try {
                int n;
                while (!ended.isDone() && (n = in.read(buffer)) >= 0) {
                    ByteArrayOutputStream chunk = new ByteArrayOutputStream(n + detachKeys.length);
                    for (int i = 0; i < n; i++) {
                        byte b = buffer[i];
                        if (detachKeys.length > 0 && b == detachKeys[matched]) {
                            matched++;
                            if (matched == detachKeys.length) {
                                send(chunk.toByteArray());
                                finish(End.DETACHED);
                                return;
                            }
                            continue;
                        }
                        if (matched > 0) {
                            chunk.write(detachKeys, 0, matched);
                            matched = 0;
                            if (detachKeys.length > 0 && b == detachKeys[0]) {
                                matched = 1;
                                continue;
                            }
                        }
                        chunk.write(b);
                    }
                    send(chunk.toByteArray());
                }
                if (matched > 0) {
                    send(Arrays.copyOf(detachKeys, matched));
                }
                request(AttachRequest.newBuilder().setStdinEof(true).build());
            } catch (IOException | RuntimeException e) {
                // the client went away; the connection's close ends the session
            }
        });
    }

    private void send(byte[] bytes) {
        if (bytes.length > 0) {
            request(AttachRequest.newBuilder().setStdin(ByteString.copyFrom(bytes)).build());
        }
    }

    private synchronized void request(AttachRequest request) {
        if (ended.isDone()) {
            return;
        }
        if (requests == null) {
            pending.add(request);
        } else {
            requests.onNext(request);
        }
    }

    CompletableFuture<End> ended() {
        return ended;
    }

    /** Ends the session; a detach or a client that left cancels the supervisor stream, the process runs on. */
    void finish(End end) {
        acknowledged.complete(null);
        if (!ended.complete(end)) {
            return;
        }
        if (end != End.EXITED && end != End.FAILED) {
            synchronized (this) {
                if (requests != null) {
                    try {
                        requests.onError(io.grpc.Status.CANCELLED.withDescription("detached").asRuntimeException());
                    } catch (RuntimeException ignored) {
                        // already over
                    }
                }
            }
        }
    }

    @Override
    public void onNext(AttachOutput output) {
        if (output.getStream() == AttachOutput.Stream.STREAM_UNKNOWN) {
            acknowledged.complete(null);
            return;
        }
        byte[] data = output.getData().toByteArray();
        try {
            synchronized (out) {
                if (!tty) {
                    int stream = output.getStream() == AttachOutput.Stream.STREAM_STDERR ? 2 : 1;
                    out.write(new byte[] {(byte) stream, 0, 0, 0, (byte) (data.length >>> 24),
                            (byte) (data.length >>> 16), (byte) (data.length >>> 8), (byte) data.length});
                }
                out.write(data);
            }
        } catch (IOException e) {
            finish(End.CLIENT_GONE);
        }
    }

    @Override
    public void onError(Throwable t) {
        finish(End.FAILED);
    }

    @Override
    public void onCompleted() {
        finish(End.EXITED);
    }

    /** Docker's detach key syntax: comma-separated {@code ctrl-<x>} or single characters; default ctrl-p,ctrl-q. */
    static byte[] parseDetachKeys(String spec) {
        if (spec == null || spec.isEmpty()) {
            return new byte[] {16, 17};
        }
        String[] parts = spec.split(",");
        byte[] keys = new byte[parts.length];
        for (int i = 0; i < parts.length; i++) {
            String p = parts[i].trim();
            if (p.length() == 1) {
                keys[i] = (byte) p.charAt(0);
            } else if (p.startsWith("ctrl-") && p.length() == 6) {
                char c = Character.toLowerCase(p.charAt(5));
                if (c >= 'a' && c <= 'z') {
                    keys[i] = (byte) (c - 'a' + 1);
                } else {
                    keys[i] = switch (c) {
                        case '@' -> 0;
                        case '[' -> 27;
                        case '\\' -> 28;
                        case ']' -> 29;
                        case '^' -> 30;
                        case '_' -> 31;
                        default -> throw ApiException.badRequest("Invalid escape keys (" + spec + ") provided");
                    };
                }
            } else {
                throw ApiException.badRequest("Invalid escape keys (" + spec + ") provided");
            }
        }
        return keys;
    }
}
