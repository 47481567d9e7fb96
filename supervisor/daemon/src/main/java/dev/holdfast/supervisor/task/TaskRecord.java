package dev.holdfast.supervisor.task;

import com.google.protobuf.Timestamp;
import dev.holdfast.supervisor.api.ExitStatus;
import dev.holdfast.supervisor.api.Status;
import dev.holdfast.supervisor.api.Task;
import dev.holdfast.supervisor.api.TaskEvent;
import dev.holdfast.supervisor.bundle.ExitRecord;
import dev.holdfast.supervisor.bundle.TaskDirectory;
import dev.holdfast.supervisor.proc.ProcFs;
import dev.holdfast.supervisor.shim.ShimConnection;
import dev.holdfast.supervisor.shim.ShimPidFile;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One task as the supervisor knows it: ids, pids, status, exit, and the state transitions with the events they
 * publish. Transitions and their events happen under this object's monitor, so subscribers see CREATE, START, EXIT
 * in that order even when the container exits before {@code start} has answered.
 */
public final class TaskRecord {
    private final String id;
    private final TaskDirectory dir;
    private final ShimConnection shim;
    private final ShimPidFile shimIdentity;
    private final int shimPid;
    private final ReentrantLock operation = new ReentrantLock();
    private final CompletableFuture<Task> stopped = new CompletableFuture<>();

    private int pid;
    private Status status;
    private ExitRecord exit;
    private boolean starting;
    private ExitRecord exitDuringStart;

    /**
     * @param shimIdentity the shim's pid and start time, or null when unknown (then only the pid is checked)
     */
    public TaskRecord(String id, TaskDirectory dir, ShimConnection shim, ShimPidFile shimIdentity, int shimPid,
            int pid, Status status, ExitRecord exit) {
        this.id = id;
        this.dir = dir;
        this.shim = shim;
        this.shimIdentity = shimIdentity;
        this.shimPid = shimPid;
        this.pid = pid;
        this.status = status;
        this.exit = exit;
        if (status == Status.STATUS_STOPPED) {
            stopped.complete(toTask());
        }
    }

    public String id() {
        return id;
    }

    public TaskDirectory dir() {
        return dir;
    }

    public ShimConnection shim() {
        return shim;
    }

    public int shimPid() {
        return shimPid;
    }

    /** Serializes the operations that change a task (start, delete). */
    public ReentrantLock operationLock() {
        return operation;
    }

    /** Completes with the stopped task once it has exited. */
    public CompletableFuture<Task> whenStopped() {
        return stopped;
    }

    public synchronized Status status() {
        return status;
    }

    public synchronized boolean isStopped() {
        return status == Status.STATUS_STOPPED;
    }

    /** True while the shim process that serves this task exists. */
    public boolean isShimAlive() {
        if (shimIdentity != null) {
            return shimIdentity.isLiveShimFor(id);
        }
        return shimPid > 0 && ProcFs.startTime(shimPid).isPresent();
    }

    /** The task as the API shows it. */
    public synchronized Task toTask() {
        Task.Builder t = Task.newBuilder().setId(id).setPid(pid).setStatus(status).setShimPid(shimPid);
        if (exit != null) {
            t.setExit(ExitStatus.newBuilder()
                    .setExitCode(exit.exitCode())
                    .setExitedAt(Timestamp.newBuilder()
                            .setSeconds(exit.exitedAt().getEpochSecond())
                            .setNanos(exit.exitedAt().getNano())));
        }
        return t.build();
    }

    /** Publishes CREATE (adopted tasks have none: an earlier supervisor announced them). */
    public synchronized void announceCreate(TaskEvents events) {
        events.publish(TaskEvent.Type.TYPE_CREATE, toTask());
    }

    /** Marks a start in progress. */
    public synchronized void beginStart() {
        if (starting) {
            throw new TaskException(io.grpc.Status.Code.FAILED_PRECONDITION, id, "start", "already being started");
        }
        if (status != Status.STATUS_CREATED) {
            throw new TaskException(io.grpc.Status.Code.FAILED_PRECONDITION, id, "start",
                    "task is " + describe(status) + ", not created");
        }
        starting = true;
    }

    /**
     * Ends a start: on success RUNNING and START; then any exit that arrived meanwhile. Returns the task as of the
     * START (RUNNING even if it has exited since: the exit is reported by Wait and the EXIT event).
     */
    public synchronized Task finishStart(boolean started, TaskEvents events) {
        starting = false;
        Task result = toTask();
        if (started && status == Status.STATUS_CREATED) {
            status = Status.STATUS_RUNNING;
            result = toTask();
            events.publish(TaskEvent.Type.TYPE_START, result);
        }
        if (exitDuringStart != null) {
            ExitRecord e = exitDuringStart;
            exitDuringStart = null;
            exited(e, events);
        }
        return result;
    }

    /** The init process exited: STOPPED and EXIT, once. Returns false if it was already known. */
    public synchronized boolean exited(ExitRecord e, TaskEvents events) {
        if (status == Status.STATUS_STOPPED) {
            return false;
        }
        if (starting) {
            exitDuringStart = e;
            return true;
        }
        status = Status.STATUS_STOPPED;
        exit = e;
        if (pid == 0 && e.pid() > 0) {
            pid = e.pid();
        }
        Task t = toTask();
        events.publish(TaskEvent.Type.TYPE_EXIT, t);
        stopped.complete(t);
        return true;
    }

    static String describe(Status s) {
        return switch (s) {
            case STATUS_CREATED -> "created";
            case STATUS_RUNNING -> "running";
            case STATUS_STOPPED -> "stopped";
            case STATUS_PAUSED -> "paused";
            default -> "in an unknown state";
        };
    }
}
