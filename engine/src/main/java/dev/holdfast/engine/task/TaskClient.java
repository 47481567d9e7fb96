package dev.holdfast.engine.task;

import com.google.protobuf.ByteString;
import dev.holdfast.supervisor.api.CreateTaskRequest;
import dev.holdfast.supervisor.api.DeleteTaskRequest;
import dev.holdfast.supervisor.api.EventsRequest;
import dev.holdfast.supervisor.api.KillRequest;
import dev.holdfast.supervisor.api.ListTasksRequest;
import dev.holdfast.supervisor.api.Task;
import dev.holdfast.supervisor.api.TaskEvent;
import dev.holdfast.supervisor.api.TaskRequest;
import dev.holdfast.supervisor.api.TasksGrpc;
import dev.holdfast.supervisor.api.UpdateTaskRequest;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The engine's calls to the supervisor. Every failure becomes a {@link SupervisorException} that says which call,
 * for which container, and, when the supervisor is down, at which socket it was expected.
 */
public final class TaskClient {
    private final SupervisorCalls calls;
    private final OciRuntimes runtimes;

    /** @param runtimes what a create's runtime name stands for */
    public TaskClient(ManagedChannel channel, Path socket, OciRuntimes runtimes) {
        this.calls = new SupervisorCalls(channel, socket);
        this.runtimes = runtimes;
    }

    public Path socket() {
        return calls.socket();
    }

    /**
     * Log rotation options come from the container's LogConfig; 0 means unlimited. {@code runtime}: the name of
     * HostConfig.Runtime.
     */
    public record CreateOptions(byte[] spec, Path logPath, boolean stdin, long logMaxSize, int logMaxFiles,
            boolean terminal, String runtime) {}

    public Task create(String id, CreateOptions options) {
        CreateTaskRequest request = CreateTaskRequest.newBuilder()
                .setId(id)
                .setSpec(ByteString.copyFrom(options.spec()))
                .setLogPath(options.logPath().toString())
                .setStdin(options.stdin())
                .setLogMaxSize(options.logMaxSize())
                .setLogMaxFiles(options.logMaxFiles())
                .setTerminal(options.terminal())
                .setRuntime(runtimes.request(options.runtime()))
                .build();
        return call("create task", id, () -> stub().create(request));
    }

    public Task start(String id) {
        return call("start task", id, () -> stub().start(TaskRequest.newBuilder().setId(id).build()));
    }

    public Task kill(String id, int signal, boolean all) {
        KillRequest request = KillRequest.newBuilder().setId(id).setSignal(signal).setAll(all).build();
        return call("kill task with signal " + signal, id, () -> stub().kill(request));
    }

    /** Deletes the task; a task that is already gone is not an error here. */
    public Optional<Task> delete(String id, boolean force) {
        DeleteTaskRequest request = DeleteTaskRequest.newBuilder().setId(id).setForce(force).build();
        try {
            return Optional.of(call("delete task", id, () -> stub().delete(request)));
        } catch (SupervisorException e) {
            if (e.code() == Status.Code.NOT_FOUND) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** Waits up to {@code timeout} for the task to stop; empty when it is still running then. */
    public Optional<Task> awaitExit(String id, Duration timeout) {
        return calls.awaitStop("wait for task", id, "", timeout);
    }

    public Optional<Task> state(String id) {
        try {
            return Optional.of(call("task state", id, () -> stub().state(TaskRequest.newBuilder().setId(id).build())));
        } catch (SupervisorException e) {
            if (e.code() == Status.Code.NOT_FOUND) {
                return Optional.empty();
            }
            throw e;
        }
    }

    public Task pause(String id) {
        return call("pause task", id, () -> stub().pause(TaskRequest.newBuilder().setId(id).build()));
    }

    public Task resume(String id) {
        return call("resume task", id, () -> stub().resume(TaskRequest.newBuilder().setId(id).build()));
    }

    public List<Integer> listPids(String id) {
        return call("list task pids", id, () -> stub().listPids(TaskRequest.newBuilder().setId(id).build()).getPidsList());
    }

    /** runc's stats JSON (the data object of runc events --stats). */
    public byte[] stats(String id) {
        return call("task stats", id, () -> stub().stats(TaskRequest.newBuilder().setId(id).build()).getStats().toByteArray());
    }

    /** {@code resources} is OCI LinuxResources JSON. */
    public Task update(String id, byte[] resources) {
        UpdateTaskRequest request = UpdateTaskRequest.newBuilder().setId(id).setResources(ByteString.copyFrom(resources)).build();
        return call("update task", id, () -> stub().update(request));
    }

    /**
     * One List over {@code channel}, its answer dropped and any failure ignored: connects, and initialises gRPC,
     * netty and protobuf, on the caller's thread (the engine's boot does this beside reading its records).
     */
    public static void warmUp(ManagedChannel channel) {
        try {
            TasksGrpc.newBlockingStub(channel).withDeadlineAfter(2, TimeUnit.SECONDS)
                    .list(ListTasksRequest.getDefaultInstance());
        } catch (RuntimeException e) {
            // Down or slow: the boot reconcile waits for it and says so.
        }
    }

    public List<Task> list() {
        return call("list tasks", null, () -> stub().list(ListTasksRequest.getDefaultInstance()).getTasksList());
    }

    /**
     * Subscribes to task events. The returned context cancels the stream; {@code observer} learns about its end
     * (supervisor restart) through onError or onCompleted.
     */
    public Context.CancellableContext subscribe(StreamObserver<TaskEvent> observer) {
        Context.CancellableContext context = Context.current().withCancellation();
        context.run(() -> TasksGrpc.newStub(calls.channel()).events(EventsRequest.getDefaultInstance(), observer));
        return context;
    }

    /** Lets the next call try to connect at once instead of waiting out the channel's own backoff. */
    public void resetConnectBackoff() {
        calls.resetConnectBackoff();
    }

    /** Describes a failed event stream the way the other calls describe their failures. */
    public SupervisorException describe(Throwable failure, String call) {
        return SupervisorException.of(Status.fromThrowable(failure), call, null, calls.socket(), failure);
    }

    private TasksGrpc.TasksBlockingStub stub() {
        return calls.stub();
    }

    private <T> T call(String what, String id, Supplier<T> rpc) {
        return calls.call(what, id, rpc);
    }
}
