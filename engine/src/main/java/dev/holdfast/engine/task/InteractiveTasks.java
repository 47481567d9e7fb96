package dev.holdfast.engine.task;

import com.google.protobuf.ByteString;
import dev.holdfast.supervisor.api.AttachOutput;
import dev.holdfast.supervisor.api.AttachRequest;
import dev.holdfast.supervisor.api.CreateExecRequest;
import dev.holdfast.supervisor.api.DeleteTaskRequest;
import dev.holdfast.supervisor.api.KillRequest;
import dev.holdfast.supervisor.api.ResizePtyRequest;
import dev.holdfast.supervisor.api.Task;
import dev.holdfast.supervisor.api.TaskRequest;
import dev.holdfast.supervisor.api.TasksGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** The supervisor calls of the interactive half: attach streams, terminal sizes and execs. */
public final class InteractiveTasks {
    private final SupervisorCalls calls;

    public InteractiveTasks(ManagedChannel channel, Path socket) {
        this.calls = new SupervisorCalls(channel, socket);
    }

    /**
     * Waits until the supervisor can be reached, so that an attach stream is not opened into the gap of its
     * restart; the client's connection is still plain HTTP then, so a failure is an ordinary error reply.
     */
    public void awaitReachable(String id) {
        calls.awaitReachable("attach", id);
    }

    /** Opens an Attach call; the caller sends {@code open} first. */
    public StreamObserver<AttachRequest> attach(StreamObserver<AttachOutput> output) {
        return TasksGrpc.newStub(calls.channel()).attach(output);
    }

    public Task resize(String id, String execId, int width, int height) {
        ResizePtyRequest request = ResizePtyRequest.newBuilder().setId(id).setExecId(execId)
                .setWidth(width).setHeight(height).build();
        return call("resize tty", id, () -> stub().resizePty(request));
    }

    public Task createExec(String id, String execId, byte[] process, boolean stdin, boolean terminal) {
        CreateExecRequest request = CreateExecRequest.newBuilder().setId(id).setExecId(execId)
                .setProcess(ByteString.copyFrom(process)).setStdin(stdin).setTerminal(terminal).build();
        return call("create exec " + execId, id, () -> stub().createExec(request));
    }

    public Task start(String id, String execId) {
        return call("start exec " + execId, id,
                () -> stub().start(TaskRequest.newBuilder().setId(id).setExecId(execId).build()));
    }

    /** Signals an exec's process (a health probe past its timeout). */
    public Task kill(String id, String execId, int signal) {
        KillRequest request = KillRequest.newBuilder().setId(id).setExecId(execId).setSignal(signal).build();
        return call("kill exec " + execId + " with signal " + signal, id, () -> stub().kill(request));
    }

    /** Waits up to {@code timeout} for the exec's process to stop; empty when it is still running then. */
    public Optional<Task> awaitExit(String id, String execId, Duration timeout) {
        return calls.awaitStop("wait for exec " + execId, id, execId, timeout);
    }

    public Optional<Task> state(String id, String execId) {
        try {
            return Optional.of(call("exec state " + execId, id,
                    () -> stub().state(TaskRequest.newBuilder().setId(id).setExecId(execId).build())));
        } catch (SupervisorException e) {
            if (e.code() == Status.Code.NOT_FOUND) {
                return Optional.empty();
            }
            throw e;
        }
    }

    public void deleteQuietly(String id, String execId) {
        try {
            calls.stub().delete(DeleteTaskRequest.newBuilder().setId(id).setExecId(execId).setForce(true).build());
        } catch (StatusRuntimeException e) {
            // gone already, or the supervisor is away: nothing to clean then
        }
    }

    private TasksGrpc.TasksBlockingStub stub() {
        return calls.stub();
    }

    private <T> T call(String what, String id, java.util.function.Supplier<T> rpc) {
        return calls.call(what, id, rpc);
    }
}
