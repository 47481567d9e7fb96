package dev.holdfast.engine.task;

import com.google.protobuf.Timestamp;
import dev.holdfast.supervisor.api.CreateTaskRequest;
import dev.holdfast.supervisor.api.DeleteTaskRequest;
import dev.holdfast.supervisor.api.EventsRequest;
import dev.holdfast.supervisor.api.ExitStatus;
import dev.holdfast.supervisor.api.KillRequest;
import dev.holdfast.supervisor.api.ListTasksRequest;
import dev.holdfast.supervisor.api.ListTasksResponse;
import dev.holdfast.supervisor.api.Status;
import dev.holdfast.supervisor.api.Task;
import dev.holdfast.supervisor.api.TaskEvent;
import dev.holdfast.supervisor.api.TaskRequest;
import dev.holdfast.supervisor.api.TasksGrpc;
import io.grpc.Server;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.grpc.netty.NettyServerBuilder;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An in-memory supervisor speaking the real gRPC contract over a unix socket: tasks are records, "processes" exit
 * when a test says so or when killed with SIGKILL (or SIGTERM unless told to ignore it). It can be stopped and
 * started again with its tasks intact, as a restarted supervisor adopts its shims.
 */
public final class FakeSupervisor extends TasksGrpc.TasksImplBase implements AutoCloseable {
    private final Path socket;
    private final EventLoopGroup group = new EpollEventLoopGroup(1);
    private final Map<String, Task> tasks = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<Task>> exits = new ConcurrentHashMap<>();
    private final List<StreamObserver<TaskEvent>> subscribers = new CopyOnWriteArrayList<>();
    private final AtomicInteger pids = new AtomicInteger(1000);
    private final Map<String, String> createFailures = new ConcurrentHashMap<>();
    private final Map<String, CreateTaskRequest> created = new ConcurrentHashMap<>();
    private volatile boolean ignoreSigterm;
    private volatile CyclicBarrier startGathering;
    private Server server;

    public FakeSupervisor(Path socket) {
        this.socket = socket;
    }

    public FakeSupervisor start() throws IOException {
        Files.deleteIfExists(socket);
        server = NettyServerBuilder.forAddress(new DomainSocketAddress(socket.toString()))
                .channelType(EpollServerDomainSocketChannel.class)
                .bossEventLoopGroup(group)
                .workerEventLoopGroup(group)
                .addService(this)
                .build()
                .start();
        return this;
    }

    /** Like a supervisor killed with SIGKILL: connections and event streams break, tasks live on. */
    public void stop() throws InterruptedException {
        server.shutdownNow().awaitTermination();
        subscribers.clear();
    }

    // ---- test controls --------------------------------------------------------------------------------------------

    /** The container's process ends with {@code code}. */
    public void exit(String id, int code) {
        exit(id, code, Instant.now());
    }

    public void exit(String id, int code, Instant at) {
        Task stopped = tasks.computeIfPresent(id, (k, t) -> t.toBuilder().setStatus(Status.STATUS_STOPPED)
                .setExit(ExitStatus.newBuilder().setExitCode(code)
                        .setExitedAt(Timestamp.newBuilder().setSeconds(at.getEpochSecond()).setNanos(at.getNano())))
                .build());
        if (stopped != null) {
            exits.computeIfAbsent(id, k -> new CompletableFuture<>()).complete(stopped);
            publish(TaskEvent.Type.TYPE_EXIT, stopped);
        }
    }

    /**
     * Reports the exit of an exec'd process of {@code id}: not the container's end. It carries the init's pid, so
     * that only its exec id tells it apart.
     */
    public void execExit(String id, String execId, int code) {
        Task exec = tasks.get(id).toBuilder().setExecId(execId).setStatus(Status.STATUS_STOPPED)
                .setExit(ExitStatus.newBuilder().setExitCode(code)).build();
        publish(TaskEvent.Type.TYPE_EXIT, exec);
    }

    /** Puts a task in place as if it existed before the engine started. */
    public void putTask(String id, Status status, int pid) {
        tasks.put(id, Task.newBuilder().setId(id).setPid(pid).setStatus(status).setShimPid(pid - 1).build());
    }

    public void ignoreSigterm(boolean ignore) {
        ignoreSigterm = ignore;
    }

    /** The next create of {@code id} fails with runc's {@code message}. */
    public void failCreate(String id, String message) {
        createFailures.put(id, message);
    }

    /**
     * The next {@code parties} starts each wait (up to 5 s) until all of them are in progress: they all get through
     * at once only when they are called side by side, not one after another.
     */
    public void gatherStarts(int parties) {
        startGathering = new CyclicBarrier(parties);
    }

    /** Whether the starts {@link #gatherStarts} waited for were all in progress together. */
    public boolean startsGathered() {
        CyclicBarrier gathering = startGathering;
        return gathering != null && !gathering.isBroken() && gathering.getNumberWaiting() == 0;
    }

    public Map<String, Task> tasks() {
        return tasks;
    }

    public CreateTaskRequest lastCreate(String id) {
        return created.get(id);
    }

    public int subscriberCount() {
        return subscribers.size();
    }

    // ---- the contract ---------------------------------------------------------------------------------------------

    @Override
    public void create(CreateTaskRequest request, StreamObserver<Task> out) {
        String failure = createFailures.remove(request.getId());
        if (failure != null) {
            out.onError(io.grpc.Status.FAILED_PRECONDITION.withDescription(failure).asRuntimeException());
            return;
        }
        Task task = Task.newBuilder().setId(request.getId()).setPid(pids.incrementAndGet())
                .setStatus(Status.STATUS_CREATED).build();
        if (tasks.putIfAbsent(request.getId(), task) != null) {
            out.onError(io.grpc.Status.ALREADY_EXISTS.withDescription("task " + request.getId() + " exists")
                    .asRuntimeException());
            return;
        }
        created.put(request.getId(), request);
        exits.put(request.getId(), new CompletableFuture<>());
        publish(TaskEvent.Type.TYPE_CREATE, task);
        reply(out, task);
    }

    @Override
    public void start(TaskRequest request, StreamObserver<Task> out) {
        CyclicBarrier gathering = startGathering;
        if (gathering != null && !gathering.isBroken()) {
            try {
                gathering.await(5, TimeUnit.SECONDS);
            } catch (Exception brokenOrTimedOut) {
                // startsGathered() reports it; the start itself goes on.
            }
        }
        Task task = tasks.computeIfPresent(request.getId(), (k, t) -> t.toBuilder().setStatus(Status.STATUS_RUNNING).build());
        if (task == null) {
            notFound(out, request.getId());
            return;
        }
        publish(TaskEvent.Type.TYPE_START, task);
        reply(out, task);
    }

    @Override
    public void kill(KillRequest request, StreamObserver<Task> out) {
        Task task = tasks.get(request.getId());
        if (task == null) {
            notFound(out, request.getId());
            return;
        }
        if (request.getSignal() == 9 || (request.getSignal() == 15 && !ignoreSigterm)) {
            exit(request.getId(), 128 + request.getSignal());
        }
        reply(out, tasks.get(request.getId()));
    }

    @Override
    public void delete(DeleteTaskRequest request, StreamObserver<Task> out) {
        Task task = tasks.get(request.getId());
        if (task == null) {
            notFound(out, request.getId());
            return;
        }
        if (task.getStatus() != Status.STATUS_STOPPED) {
            if (!request.getForce()) {
                out.onError(io.grpc.Status.FAILED_PRECONDITION.withDescription("task is running").asRuntimeException());
                return;
            }
            exit(request.getId(), 137);
        }
        Task deleted = tasks.remove(request.getId());
        publish(TaskEvent.Type.TYPE_DELETE, deleted);
        reply(out, deleted);
    }

    @Override
    public void wait(TaskRequest request, StreamObserver<Task> out) {
        Task task = tasks.get(request.getId());
        if (task == null) {
            notFound(out, request.getId());
            return;
        }
        if (task.getStatus() == Status.STATUS_STOPPED) {
            reply(out, task);
            return;
        }
        exits.computeIfAbsent(request.getId(), k -> new CompletableFuture<>()).thenAccept(t -> reply(out, t));
    }

    @Override
    public void state(TaskRequest request, StreamObserver<Task> out) {
        Task task = tasks.get(request.getId());
        if (task == null) {
            notFound(out, request.getId());
        } else {
            reply(out, task);
        }
    }

    @Override
    public void list(ListTasksRequest request, StreamObserver<ListTasksResponse> out) {
        out.onNext(ListTasksResponse.newBuilder().addAllTasks(tasks.values()).build());
        out.onCompleted();
    }

    @Override
    public void events(EventsRequest request, StreamObserver<TaskEvent> out) {
        ((ServerCallStreamObserver<TaskEvent>) out).setOnCancelHandler(() -> subscribers.remove(out));
        subscribers.add(out);
    }

    private void publish(TaskEvent.Type type, Task task) {
        TaskEvent event = TaskEvent.newBuilder().setType(type).setTask(task).build();
        for (StreamObserver<TaskEvent> subscriber : subscribers) {
            synchronized (subscriber) {
                try {
                    subscriber.onNext(event);
                } catch (RuntimeException e) {
                    subscribers.remove(subscriber);
                }
            }
        }
    }

    private static void reply(StreamObserver<Task> out, Task task) {
        out.onNext(task);
        out.onCompleted();
    }

    private static void notFound(StreamObserver<Task> out, String id) {
        out.onError(io.grpc.Status.NOT_FOUND.withDescription("task " + id + " not found").asRuntimeException());
    }

    @Override
    public void close() throws InterruptedException {
        stop();
        group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }
}
