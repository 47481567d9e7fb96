package dev.holdfast.supervisor.task;

import com.google.protobuf.ByteString;
import dev.holdfast.supervisor.api.AttachOutput;
import dev.holdfast.supervisor.api.AttachRequest;
import dev.holdfast.supervisor.api.CreateExecRequest;
import dev.holdfast.supervisor.api.CreateTaskRequest;
import dev.holdfast.supervisor.api.DeleteTaskRequest;
import dev.holdfast.supervisor.api.EventsRequest;
import dev.holdfast.supervisor.api.KillRequest;
import dev.holdfast.supervisor.api.ListTasksRequest;
import dev.holdfast.supervisor.api.ListPidsResponse;
import dev.holdfast.supervisor.api.ListTasksResponse;
import dev.holdfast.supervisor.api.ResizePtyRequest;
import dev.holdfast.supervisor.api.StatsResponse;
import dev.holdfast.supervisor.api.Task;
import dev.holdfast.supervisor.api.TaskEvent;
import dev.holdfast.supervisor.api.TaskRequest;
import dev.holdfast.supervisor.api.TasksGrpc;
import dev.holdfast.supervisor.api.UpdateTaskRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/** The gRPC face of {@link TaskManager}: request in, task or status out. */
public final class TaskService extends TasksGrpc.TasksImplBase {
    private static final Logger LOG = Logger.getLogger(TaskService.class.getName());

    private final TaskManager tasks;
    private final Set<CompletableFuture<Task>> pendingWaits = ConcurrentHashMap.newKeySet();
    private final Set<AttachRelay> attaches = ConcurrentHashMap.newKeySet();

    public TaskService(TaskManager tasks) {
        this.tasks = tasks;
    }

    /** Wait calls still blocked on a live task. */
    public int pendingWaitCount() {
        return pendingWaits.size();
    }

    /** Attach calls relaying a shim connection right now. */
    public int attachCount() {
        return (int) attaches.stream().filter(AttachRelay::isRelaying).count();
    }

    /**
     * Ends the long-lived calls (pending Waits, Events and Attach streams) with UNAVAILABLE, so a graceful server shutdown does
     * not wait for containers to exit. Clients reconnect and List.
     */
    public void endLongCalls() {
        for (CompletableFuture<Task> f : pendingWaits) {
            f.completeExceptionally(Status.UNAVAILABLE.withDescription("supervisor is shutting down")
                    .asRuntimeException());
        }
        tasks.events().closeAll();
        attaches.forEach(AttachRelay::shutdown);
    }

    @Override
    public void create(CreateTaskRequest req, StreamObserver<Task> out) {
        unary(out, req.getId(), "create", () -> tasks.create(req));
    }

    @Override
    public void start(TaskRequest req, StreamObserver<Task> out) {
        unary(out, req.getId(), "start", () -> tasks.start(req.getId(), req.getExecId()));
    }

    @Override
    public void kill(KillRequest req, StreamObserver<Task> out) {
        unary(out, req.getId(), "kill",
                () -> tasks.kill(req.getId(), req.getExecId(), req.getSignal(), req.getAll()));
    }

    @Override
    public void delete(DeleteTaskRequest req, StreamObserver<Task> out) {
        unary(out, req.getId(), "delete", () -> tasks.delete(req.getId(), req.getExecId(), req.getForce()));
    }

    @Override
    public void state(TaskRequest req, StreamObserver<Task> out) {
        unary(out, req.getId(), "state", () -> tasks.state(req.getId(), req.getExecId()));
    }

    @Override
    public void createExec(CreateExecRequest req, StreamObserver<Task> out) {
        unary(out, req.getId(), "create exec", () -> tasks.createExec(req));
    }

    @Override
    public StreamObserver<AttachRequest> attach(StreamObserver<AttachOutput> out) {
        AttachRelay relay = AttachRelay.start(tasks, out, attaches::remove);
        attaches.add(relay);
        return relay;
    }

    @Override
    public void resizePty(ResizePtyRequest req, StreamObserver<Task> out) {
        unary(out, req.getId(), "resize pty",
                () -> tasks.resizePty(req.getId(), req.getExecId(), req.getWidth(), req.getHeight()));
    }

    @Override
    public void closeStdin(TaskRequest req, StreamObserver<Task> out) {
        unary(out, req.getId(), "close stdin", () -> tasks.closeStdin(req.getId(), req.getExecId()));
    }

    @Override
    public void pause(TaskRequest req, StreamObserver<Task> out) {
        unary(out, req.getId(), "pause", () -> tasks.pause(taskOnly(req, "pause")));
    }

    @Override
    public void resume(TaskRequest req, StreamObserver<Task> out) {
        unary(out, req.getId(), "resume", () -> tasks.resume(taskOnly(req, "resume")));
    }

    @Override
    public void listPids(TaskRequest req, StreamObserver<ListPidsResponse> out) {
        unary(out, req.getId(), "list pids", () -> ListPidsResponse.newBuilder()
                .addAllPids(tasks.listPids(taskOnly(req, "list pids"))).build());
    }

    @Override
    public void stats(TaskRequest req, StreamObserver<StatsResponse> out) {
        unary(out, req.getId(), "stats", () -> StatsResponse.newBuilder()
                .setStats(ByteString.copyFrom(tasks.stats(taskOnly(req, "stats")))).build());
    }

    @Override
    public void update(UpdateTaskRequest req, StreamObserver<Task> out) {
        unary(out, req.getId(), "update", () -> tasks.update(req.getId(), req.getResources().toByteArray()));
    }

    @Override
    public void list(ListTasksRequest req, StreamObserver<ListTasksResponse> out) {
        unary(out, "", "list", () -> ListTasksResponse.newBuilder().addAllTasks(tasks.list()).build());
    }

    @Override
    public void wait(TaskRequest req, StreamObserver<Task> out) {
        ServerCallStreamObserver<Task> call = (ServerCallStreamObserver<Task>) out;
        try {
            // A dependent future of our own, dropped when the caller goes away before the task stops.
            CompletableFuture<Task> stopped = tasks.await(req.getId(), req.getExecId()).thenApply(t -> t);
            pendingWaits.add(stopped);
            call.setOnCancelHandler(() -> stopped.cancel(false));
            stopped.whenComplete((task, error) -> {
                pendingWaits.remove(stopped);
                if (call.isCancelled() || error instanceof CancellationException) {
                    return;
                }
                try {
                    if (error != null) {
                        out.onError(toStatus(req.getId(), "wait", error));
                    } else {
                        out.onNext(task);
                        out.onCompleted();
                    }
                } catch (RuntimeException e) {
                    LOG.fine("task " + req.getId() + ": wait answer not delivered: " + e.getMessage());
                }
            });
        } catch (RuntimeException e) {
            out.onError(toStatus(req.getId(), "wait", e));
        }
    }

    @Override
    public void events(EventsRequest req, StreamObserver<TaskEvent> out) {
        ServerCallStreamObserver<TaskEvent> call = (ServerCallStreamObserver<TaskEvent>) out;
        TaskEvents.Subscription sub = tasks.events().subscribe(out::onNext, () -> out.onError(
                Status.UNAVAILABLE.withDescription("supervisor is shutting down").asRuntimeException()));
        call.setOnCancelHandler(sub::cancel);
    }

    /** The id of a request about a whole task: an exec id there is a mistake, not something to ignore. */
    private static String taskOnly(TaskRequest req, String step) {
        if (!req.getExecId().isEmpty()) {
            throw new TaskException(io.grpc.Status.Code.INVALID_ARGUMENT, req.getId(), step,
                    "applies to the whole task: send it without an exec id");
        }
        return req.getId();
    }

    private static <T> void unary(StreamObserver<T> out, String id, String step, Supplier<T> op) {
        T result;
        try {
            result = op.get();
        } catch (RuntimeException e) {
            out.onError(toStatus(id, step, e));
            return;
        }
        out.onNext(result);
        out.onCompleted();
    }

    private static RuntimeException toStatus(String id, String step, Throwable error) {
        Throwable e = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (e instanceof StatusRuntimeException sre) {
            return sre;
        }
        if (e instanceof TaskException te) {
            LOG.log(te.code() == io.grpc.Status.Code.NOT_FOUND ? Level.FINE : Level.INFO, te.getMessage());
            return te.toStatus();
        }
        LOG.log(Level.SEVERE, "task " + id + ": " + step + ": unexpected failure", e);
        return Status.INTERNAL.withDescription("task " + id + ": " + step + ": " + e).withCause(e).asRuntimeException();
    }
}
