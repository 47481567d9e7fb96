package dev.holdfast.supervisor.testing;

import com.google.protobuf.ByteString;
import dev.holdfast.supervisor.api.AttachOpen;
import dev.holdfast.supervisor.api.AttachOutput;
import dev.holdfast.supervisor.api.AttachRequest;
import dev.holdfast.supervisor.api.TasksGrpc;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** The engine's side of one Attach call: sends the open and stdin, collects stdout and stderr and the end. */
public final class AttachClient implements AutoCloseable {
    private final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    private final CompletableFuture<Status> end = new CompletableFuture<>();
    private final StreamObserver<AttachRequest> requests;

    private AttachClient(TasksGrpc.TasksStub stub) {
        this.requests = stub.attach(new StreamObserver<>() {
            @Override
            public void onNext(AttachOutput out) {
                ByteArrayOutputStream target = out.getStream() == AttachOutput.Stream.STREAM_STDERR ? stderr : stdout;
                synchronized (AttachClient.this) {
                    target.writeBytes(out.getData().toByteArray());
                }
            }

            @Override
            public void onError(Throwable t) {
                end.complete(Status.fromThrowable(t));
            }

            @Override
            public void onCompleted() {
                end.complete(Status.OK);
            }
        });
    }

    /** Sends {@code open} as the first request. */
    public static AttachClient open(TasksGrpc.TasksStub stub, AttachOpen open) {
        AttachClient c = new AttachClient(stub);
        c.send(AttachRequest.newBuilder().setOpen(open).build());
        return c;
    }

    /** A client whose first request is {@code first} (to test what the supervisor makes of it). */
    public static AttachClient first(TasksGrpc.TasksStub stub, AttachRequest first) {
        AttachClient c = new AttachClient(stub);
        c.send(first);
        return c;
    }

    public static AttachOpen.Builder openOf(String id, String execId) {
        return AttachOpen.newBuilder().setId(id).setExecId(execId).setStdout(true).setStderr(true);
    }

    public synchronized void send(AttachRequest r) {
        requests.onNext(r);
    }

    public void stdin(String text) {
        send(AttachRequest.newBuilder().setStdin(ByteString.copyFromUtf8(text)).build());
    }

    public void stdinEof() {
        send(AttachRequest.newBuilder().setStdinEof(true).build());
    }

    public synchronized String stdout() {
        return stdout.toString(StandardCharsets.UTF_8);
    }

    public synchronized String stderr() {
        return stderr.toString(StandardCharsets.UTF_8);
    }

    public boolean isDone() {
        return end.isDone();
    }

    /** Waits for stdout to contain {@code text}. */
    public void awaitStdout(Duration timeout, String text) {
        Await.until(timeout, "\"" + text + "\" on stdout", () -> {
            boolean ended = end.isDone();
            if (stdout().contains(text)) {
                return true;
            }
            if (ended) {
                throw new AssertionError("attach ended (" + end.join() + ") without \"" + text + "\" on stdout: \""
                        + stdout() + "\"");
            }
            return false;
        });
    }

    /** How the call ended. */
    public Status awaitEnd(Duration timeout) throws Exception {
        return end.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Cancels the call if it is still open. */
    @Override
    public void close() {
        if (!end.isDone()) {
            try {
                requests.onError(Status.CANCELLED.withDescription("test done").asRuntimeException());
            } catch (RuntimeException ignored) {
                // already closed
            }
        }
    }
}
