package dev.holdfast.engine.task;

import dev.holdfast.supervisor.api.Task;
import dev.holdfast.supervisor.api.TaskRequest;
import dev.holdfast.supervisor.api.TasksGrpc;
import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Calls over the engine's one channel to the supervisor. A call that could not reach it (a supervisor that was just
 * restarted, a connection its death broke) is tried again once the channel connects, within a grace period; every
 * failure becomes a {@link SupervisorException} naming the call, the container and the socket.
 */
final class SupervisorCalls {
    // runc create pulls a whole rootfs together; generous, but a hung supervisor must not hang the API forever.
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(60);
    // A supervisor's JVM is listening within a couple of seconds of its start; longer means it is down.
    private static final Duration RECONNECT_GRACE = Duration.ofSeconds(10);
    private static final Duration CONNECT_RETRY = Duration.ofMillis(200);
    private static final int MAX_ATTEMPTS = 3;

    private final ManagedChannel channel;
    private final Path socket;

    SupervisorCalls(ManagedChannel channel, Path socket) {
        this.channel = channel;
        this.socket = socket;
    }

    Path socket() {
        return socket;
    }

    ManagedChannel channel() {
        return channel;
    }

    TasksGrpc.TasksBlockingStub stub() {
        return TasksGrpc.newBlockingStub(channel).withDeadlineAfter(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Runs {@code rpc}, again after a reconnect when the supervisor was unreachable. Retrying is safe for what the
     * engine sends: kill, delete, pause and the queries repeat harmlessly, and a repeated create or start answers
     * ALREADY_EXISTS or FAILED_PRECONDITION rather than making a second task.
     */
    <T> T call(String what, String id, Supplier<T> rpc) {
        long deadline = System.nanoTime() + RECONNECT_GRACE.toNanos();
        for (int attempt = 1; ; attempt++) {
            try {
                return rpc.get();
            } catch (StatusRuntimeException e) {
                Status status = e.getStatus();
                if (!SupervisorException.isUnreachable(status) || attempt == MAX_ATTEMPTS
                        || !awaitConnection(deadline)) {
                    throw SupervisorException.of(status, what, id, socket, e);
                }
            }
        }
    }

    /**
     * Waits up to {@code timeout} for a process to stop ({@code execId} empty: the task's init); empty when it is
     * still running then.
     */
    Optional<Task> awaitStop(String what, String id, String execId, Duration timeout) {
        try {
            return Optional.of(call(what, id, () -> TasksGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
                    .wait(TaskRequest.newBuilder().setId(id).setExecId(execId).build())));
        } catch (SupervisorException e) {
            if (e.code() == Status.Code.DEADLINE_EXCEEDED) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** Waits for a connection to the supervisor before a stream is opened, so that it is not opened into a gap. */
    void awaitReachable(String what, String id) {
        if (!awaitConnection(System.nanoTime() + RECONNECT_GRACE.toNanos())) {
            throw SupervisorException.of(Status.UNAVAILABLE.withCause(new IllegalStateException("not connected"))
                            .withDescription("no connection within " + RECONNECT_GRACE.toSeconds() + " s"),
                    what, id, socket, null);
        }
    }

    /** Lets the next call try to connect at once instead of waiting out the channel's own backoff. */
    void resetConnectBackoff() {
        channel.resetConnectBackoff();
    }

    /**
     * Connects now and waits until connected or {@code deadline} passed. The channel's own backoff grows to seconds
     * after refused connects; a supervisor that is starting is worth a new try every {@link #CONNECT_RETRY} instead.
     */
    private boolean awaitConnection(long deadline) {
        channel.resetConnectBackoff();
        ConnectivityState state = channel.getState(true);
        while (state != ConnectivityState.READY) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            CountDownLatch changed = new CountDownLatch(1);
            channel.notifyWhenStateChanged(state, changed::countDown);
            try {
                boolean moved = changed.await(Math.min(left, CONNECT_RETRY.toNanos()), TimeUnit.NANOSECONDS);
                if (!moved && state == ConnectivityState.TRANSIENT_FAILURE) {
                    channel.resetConnectBackoff();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
            state = channel.getState(true);
        }
        return true;
    }
}
