package dev.holdfast.supervisor.task;

import com.google.protobuf.Timestamp;
import dev.holdfast.supervisor.api.ExitStatus;
import dev.holdfast.supervisor.api.Status;
import dev.holdfast.supervisor.api.Task;
import dev.holdfast.supervisor.api.TaskEvent;
import dev.holdfast.supervisor.bundle.ExitRecord;
import dev.holdfast.supervisor.bundle.ProcessDirectory;
import dev.holdfast.supervisor.proc.ProcFs;
import dev.holdfast.supervisor.shim.ShimConnection;
import dev.holdfast.supervisor.shim.ShimPidFile;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One process served by one shim, as the supervisor knows it: a task's init ({@link TaskRecord}) or an exec
 * ({@link ExecRecord}). Holds its ids, pids, status and exit, and the state transitions with the events they
 * publish. Transitions and their events happen under this object's monitor, so subscribers see CREATE, START, EXIT
 * (or EXEC_ADDED, EXEC_STARTED, EXIT) in that order even when the process exits before {@code start} has answered.
 */
public abstract class ProcessRecord {
    private final String id;
    private final String execId;
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
     * @param execId "" for a task's init
     * @param shimIdentity the shim's pid and start time, or null when unknown (then the pid's command line is
     *     checked)
     */
    protected ProcessRecord(String id, String execId, ShimConnection shim, ShimPidFile shimIdentity, int shimPid,
            int pid, Status status, ExitRecord exit) {
        this.id = id;
        this.execId = execId;
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

    /** The task id. */
    public final String id() {
        return id;
    }

    /** "" for a task's init. */
    public final String execId() {
        return execId;
    }

    public final boolean isExec() {
        return !execId.isEmpty();
    }

    /** Where the shim keeps this process's files (shim.pid, exit.json). */
    public abstract ProcessDirectory dir();

    public final ShimConnection shim() {
        return shim;
    }

    public final int shimPid() {
        return shimPid;
    }

    /** Serializes the operations that change this process (start, pause, delete, ...). */
    public final ReentrantLock operationLock() {
        return operation;
    }

    /** Completes with the stopped process once it has exited. */
    public final CompletableFuture<Task> whenStopped() {
        return stopped;
    }

    public final synchronized Status status() {
        return status;
    }

    public final synchronized boolean isStopped() {
        return status == Status.STATUS_STOPPED;
    }

    /** True once its exit is recorded: STOPPED, or an exit that came during a start (applied when it answers). */
    public final synchronized boolean hasExited() {
        return status == Status.STATUS_STOPPED || exitDuringStart != null;
    }

    /** The step of an operation on this process, as errors name it: {@code kill 9}, {@code exec e1: kill 9}. */
    public final String step(String operation) {
        return execId.isEmpty() ? operation : "exec " + execId + ": " + operation;
    }

    /** "task t1" or "task t1 exec e1", for logs. */
    public final String describe() {
        return execId.isEmpty() ? "task " + id : "task " + id + " exec " + execId;
    }

    /**
     * True while the shim process that serves this process exists. Without its identity (a process adopted stopped)
     * the pid must still run holdfast-shim for this process: pids are reused within a minute on a busy host, and
     * {@link ShimExits} SIGKILLs a shim it finds alive after its grace, so any process that took the pid over would
     * be killed.
     */
    public final boolean isShimAlive() {
        if (shimIdentity != null) {
            return shimIdentity.isLiveShimFor(id, execId);
        }
        return shimPid > 0 && ProcFs.cmdline(shimPid).map(args -> ShimPidFile.isShimCommandFor(args, id, execId))
                .orElse(false);
    }

    /** The shim's identity, or null when unknown. */
    public final ShimPidFile shimIdentity() {
        return shimIdentity;
    }

    /** The process as the API shows it. */
    public final synchronized Task toTask() {
        Task.Builder t = Task.newBuilder().setId(id).setExecId(execId).setPid(pid).setStatus(status)
                .setShimPid(shimPid);
        if (exit != null) {
            t.setExit(ExitStatus.newBuilder()
                    .setExitCode(exit.exitCode())
                    .setOomKilled(exit.oomKilled().orElse(false))
                    .setExitedAt(Timestamp.newBuilder()
                            .setSeconds(exit.exitedAt().getEpochSecond())
                            .setNanos(exit.exitedAt().getNano())));
        }
        return t.build();
    }

    /** Publishes CREATE or EXEC_ADDED (adopted processes have none: an earlier supervisor announced them). */
    public final synchronized void announceCreate(TaskEvents events) {
        events.publish(isExec() ? TaskEvent.Type.TYPE_EXEC_ADDED : TaskEvent.Type.TYPE_CREATE, toTask());
    }

    /** Marks a start in progress. */
    public final synchronized void beginStart() {
        if (starting) {
            throw new TaskException(io.grpc.Status.Code.FAILED_PRECONDITION, id, step("start"),
                    "already being started");
        }
        if (status != Status.STATUS_CREATED) {
            throw new TaskException(io.grpc.Status.Code.FAILED_PRECONDITION, id, step("start"),
                    (isExec() ? "exec is " : "task is ") + statusName(status) + ", not created");
        }
        starting = true;
    }

    /** As {@link #finishStart(boolean, int, TaskEvents)} when the start does not tell a pid (a task's init). */
    public final Task finishStart(boolean started, TaskEvents events) {
        return finishStart(started, 0, events);
    }

    /**
     * Ends a start: on success RUNNING (with {@code startedPid}, if not 0) and START or EXEC_STARTED; then any exit
     * that arrived meanwhile. Returns the process as of the start event (RUNNING even if it has exited since: the
     * exit is reported by Wait and the EXIT event).
     */
    public final synchronized Task finishStart(boolean started, int startedPid, TaskEvents events) {
        starting = false;
        if (started && startedPid > 0) {
            pid = startedPid;
        }
        Task result = toTask();
        if (started && status == Status.STATUS_CREATED) {
            status = Status.STATUS_RUNNING;
            result = toTask();
            events.publish(isExec() ? TaskEvent.Type.TYPE_EXEC_STARTED : TaskEvent.Type.TYPE_START, result);
        }
        if (exitDuringStart != null) {
            ExitRecord e = exitDuringStart;
            exitDuringStart = null;
            exited(e, events);
        }
        return result;
    }

    /** The process exited: STOPPED and EXIT, once. Returns false if it was already known. */
    public final synchronized boolean exited(ExitRecord e, TaskEvents events) {
        if (hasExited()) {
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

    /** The process is deleted without ever having stopped (an exec never started): pending waits end with NOT_FOUND. */
    public final void deletedUnstopped() {
        stopped.completeExceptionally(new TaskException(io.grpc.Status.Code.NOT_FOUND, id, step("wait"),
                "deleted before it ran"));
    }

    /**
     * {@code from} -> {@code to} with event {@code type}, if the status is {@code from}; returns the process as it
     * is afterwards, or null when the status was another.
     */
    protected final synchronized Task change(Status from, Status to, TaskEvent.Type type, TaskEvents events) {
        if (status != from) {
            return null;
        }
        status = to;
        Task t = toTask();
        events.publish(type, t);
        return t;
    }

    /** "created", "running", "paused", "stopped", as error messages say it. */
    static String statusName(Status s) {
        return switch (s) {
            case STATUS_CREATED -> "created";
            case STATUS_RUNNING -> "running";
            case STATUS_STOPPED -> "stopped";
            case STATUS_PAUSED -> "paused";
            default -> "in an unknown state";
        };
    }
}
