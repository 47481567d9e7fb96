package dev.holdfast.supervisor.task;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import dev.holdfast.supervisor.api.AttachOpen;
import dev.holdfast.supervisor.api.AttachOutput;
import dev.holdfast.supervisor.api.AttachRequest;
import dev.holdfast.supervisor.shim.ShimAttach;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One Attach call, relayed to one shim {@code attach} connection.
 *
 * <p>The first request must be {@code open}; then {@code stdin} bytes go to the process's stdin and
 * {@code stdin_eof} (or the client's half-close) ends our side of the shim connection, which with
 * {@code stdin_once} closes the process's stdin. Output frames become {@link AttachOutput} messages until the shim
 * closes the connection (the process has exited), and the call completes.
 *
 * <p>Nothing is buffered without bound. Output: a virtual thread reads one frame at a time and sends it only while
 * gRPC reports the call ready, so a slow client stops our reads and, 32 KiB later, the shim drops the connection:
 * the call then fails with RESOURCE_EXHAUSTED. Input: manual flow control; the next request is asked for once the
 * previous stdin bytes are written to the shim (by a second virtual thread, so a process that does not read its
 * stdin never blocks gRPC's callbacks).
 */
final class AttachRelay implements StreamObserver<AttachRequest> {
    private static final Logger LOG = Logger.getLogger(AttachRelay.class.getName());
    private static final long READY_RECHECK_SECONDS = 5;

    /** What the stdin writer is given. */
    private sealed interface Input {}

    private record Data(ByteString bytes) implements Input {}

    private record EndOfInput() implements Input {}

    private record Stop() implements Input {}

    private final TaskManager tasks;
    private final ServerCallStreamObserver<AttachOutput> out;
    private final Consumer<AttachRelay> onFinish;
    private final Object outLock = new Object();
    private final ReentrantLock readyLock = new ReentrantLock();
    private final Condition readyChanged = readyLock.newCondition();
    private final BlockingQueue<Input> stdin = new LinkedBlockingQueue<>();

    /** Guarded by outLock. */
    private boolean finished;
    private volatile boolean done;
    private final AtomicBoolean released = new AtomicBoolean();
    private volatile ShimAttach shim;
    /** Touched only by gRPC's callbacks, which are serialized (and by the threads started after it was set). */
    private AttachOpen open;
    private boolean stdinEnded;
    private volatile boolean stdinBroken;

    private AttachRelay(TaskManager tasks, ServerCallStreamObserver<AttachOutput> out,
            Consumer<AttachRelay> onFinish) {
        this.tasks = tasks;
        this.out = out;
        this.onFinish = onFinish;
    }

    /** Sets up the call's flow control and handlers; the returned observer receives the requests. */
    static AttachRelay start(TaskManager tasks, StreamObserver<AttachOutput> observer,
            Consumer<AttachRelay> onFinish) {
        ServerCallStreamObserver<AttachOutput> call = (ServerCallStreamObserver<AttachOutput>) observer;
        AttachRelay relay = new AttachRelay(tasks, call, onFinish);
        call.disableAutoRequest();
        call.setOnReadyHandler(relay::signalReady);
        call.setOnCancelHandler(relay::cancelled);
        call.request(1);
        return relay;
    }

    @Override
    public void onNext(AttachRequest req) {
        if (done) {
            return;
        }
        switch (req.getRequestCase()) {
            case OPEN -> open(req.getOpen());
            case STDIN -> {
                if (requireOpen()) {
                    if (open.getStdin() && !stdinEnded && !stdinBroken) {
                        stdin.add(new Data(req.getStdin())); // the writer asks for the next request
                    } else {
                        requestNext();
                    }
                }
            }
            case STDIN_EOF -> {
                if (requireOpen()) {
                    if (req.getStdinEof()) {
                        endStdin();
                    }
                    requestNext();
                }
            }
            default -> finish(Status.INVALID_ARGUMENT.withDescription("attach: empty request").asRuntimeException());
        }
    }

    /** The client half-closed: no more stdin from it. */
    @Override
    public void onCompleted() {
        if (requireOpen()) {
            endStdin();
        }
    }

    /** The client went away (cancelled). */
    @Override
    public void onError(Throwable t) {
        cancelled();
    }

    /** True from the moment the shim connection is open until the call is over. */
    boolean isRelaying() {
        return shim != null && !done;
    }

    /** Ends the call with UNAVAILABLE (the supervisor is shutting down). */
    void shutdown() {
        finish(Status.UNAVAILABLE.withDescription("supervisor is shutting down").asRuntimeException());
    }

    private void open(AttachOpen o) {
        if (open != null) {
            finish(invalid("open sent twice"));
            return;
        }
        open = o;
        ShimAttach connection;
        try {
            connection = tasks.attach(o.getId(), o.getExecId(), o.getStdin() && o.getStdinOnce());
        } catch (TaskException e) {
            LOG.log(e.code() == Status.Code.NOT_FOUND ? Level.FINE : Level.INFO, e.getMessage());
            finish(e.toStatus());
            return;
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, who() + ": attach: unexpected failure", e);
            finish(Status.INTERNAL.withDescription(who() + ": attach: " + e).asRuntimeException());
            return;
        }
        shim = connection;
        if (done) { // cancelled meanwhile
            connection.close();
            return;
        }
        // The acknowledgement: the shim connection is open, so the caller may start the process without losing
        // output. It goes out before any output frame.
        synchronized (outLock) {
            if (finished) {
                return;
            }
            out.onNext(AttachOutput.getDefaultInstance());
        }
        Thread.ofVirtual().name("attach-out-" + o.getId()).start(this::relayOutput);
        if (o.getStdin()) {
            Thread.ofVirtual().name("attach-in-" + o.getId()).start(this::relayStdin);
        }
        requestNext();
    }

    private void requestNext() {
        if (!done) {
            out.request(1);
        }
    }

    private boolean requireOpen() {
        if (open == null) {
            finish(invalid("the first request must be open"));
            return false;
        }
        return true;
    }

    private void endStdin() {
        if (open.getStdin() && !stdinEnded) {
            stdinEnded = true;
            stdin.add(new EndOfInput());
        }
    }

    /** Frames from the shim to the client, each sent only once the call is ready for it. */
    private void relayOutput() {
        try {
            ShimAttach.Frame frame;
            while ((frame = shim.readFrame()) != null) {
                AttachOutput.Stream stream = switch (frame.stream()) {
                    case 1 -> open.getStdout() ? AttachOutput.Stream.STREAM_STDOUT : null;
                    case 2 -> open.getStderr() ? AttachOutput.Stream.STREAM_STDERR : null;
                    default -> null;
                };
                if (stream == null || frame.data().length == 0) {
                    continue;
                }
                if (!awaitReady()) {
                    return;
                }
                AttachOutput message = AttachOutput.newBuilder().setStream(stream)
                        .setData(UnsafeByteOperations.unsafeWrap(frame.data())).build();
                synchronized (outLock) {
                    if (finished) {
                        return;
                    }
                    out.onNext(message);
                }
            }
            if (tasks.settleExit(open.getId(), open.getExecId())) {
                finish(null);
            } else {
                finish(Status.RESOURCE_EXHAUSTED.withDescription(who() + ": attach: the shim closed the connection "
                        + "while the process runs (output not read fast enough, or the shim is gone)")
                        .asRuntimeException());
            }
        } catch (IOException e) {
            finish(Status.INTERNAL.withDescription(who() + ": attach: shim: " + e.getMessage())
                    .asRuntimeException());
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, who() + ": attach: output relay failed", e);
            finish(Status.INTERNAL.withDescription(who() + ": attach: " + e).asRuntimeException());
        }
    }

    /** Client stdin to the shim, in order; asks gRPC for the next request once a chunk is written. */
    private void relayStdin() {
        try {
            while (true) {
                switch (stdin.take()) {
                    case Data d -> {
                        if (!stdinBroken) {
                            try {
                                shim.writeStdin(d.bytes().asReadOnlyByteBuffer());
                            } catch (IOException e) {
                                // The connection is closing (exit, or we are done): the output side reports it.
                                stdinBroken = true;
                                LOG.fine(who() + ": attach: stdin: " + e.getMessage());
                            }
                        }
                        requestNext();
                    }
                    case EndOfInput e -> {
                        try {
                            shim.endStdin();
                        } catch (IOException ex) {
                            LOG.fine(who() + ": attach: end of stdin: " + ex.getMessage());
                        }
                    }
                    case Stop s -> {
                        return;
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Blocks until gRPC can take a message without buffering it; false when the call is over. */
    private boolean awaitReady() {
        readyLock.lock();
        try {
            while (!done && !out.isReady()) {
                readyChanged.await(READY_RECHECK_SECONDS, TimeUnit.SECONDS);
            }
            return !done;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            readyLock.unlock();
        }
    }

    private void signalReady() {
        readyLock.lock();
        try {
            readyChanged.signalAll();
        } finally {
            readyLock.unlock();
        }
    }

    private void cancelled() {
        synchronized (outLock) {
            finished = true;
        }
        release();
    }

    /** Ends the call once: completed when {@code error} is null. */
    private void finish(StatusRuntimeException error) {
        synchronized (outLock) {
            if (finished) {
                return;
            }
            finished = true;
            try {
                if (error == null) {
                    out.onCompleted();
                } else {
                    out.onError(error);
                }
            } catch (RuntimeException e) {
                LOG.fine(who() + ": attach: end of call not delivered: " + e.getMessage());
            }
        }
        release();
    }

    private void release() {
        done = true;
        if (!released.compareAndSet(false, true)) {
            return;
        }
        ShimAttach s = shim;
        if (s != null) {
            s.close();
        }
        stdin.add(new Stop());
        signalReady();
        onFinish.accept(this);
    }

    private String who() {
        if (open == null) {
            return "task ?";
        }
        return open.getExecId().isEmpty() ? "task " + open.getId()
                : "task " + open.getId() + " exec " + open.getExecId();
    }

    private static StatusRuntimeException invalid(String message) {
        return Status.INVALID_ARGUMENT.withDescription("attach: " + message).asRuntimeException();
    }
}
