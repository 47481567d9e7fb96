package dev.holdfast.supervisor.task;

import dev.holdfast.supervisor.api.Status;
import dev.holdfast.supervisor.api.Task;
import dev.holdfast.supervisor.api.TaskEvent;
import dev.holdfast.supervisor.bundle.ExitRecord;
import dev.holdfast.supervisor.bundle.TaskDirectory;
import dev.holdfast.supervisor.shim.ShimConnection;
import dev.holdfast.supervisor.shim.ShimPidFile;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A task: its init process (this record's status is the task's: CREATED, RUNNING, PAUSED, STOPPED), its directory,
 * and its execs by exec id.
 */
public final class TaskRecord extends ProcessRecord {
    private final TaskDirectory dir;
    private final Map<String, ExecRecord> execs = new ConcurrentHashMap<>();

    /**
     * @param shimIdentity the shim's pid and start time, or null when unknown (then only the pid is checked)
     */
    public TaskRecord(String id, TaskDirectory dir, ShimConnection shim, ShimPidFile shimIdentity, int shimPid,
            int pid, Status status, ExitRecord exit) {
        super(id, "", shim, shimIdentity, shimPid, pid, status, exit);
        this.dir = dir;
    }

    @Override
    public TaskDirectory dir() {
        return dir;
    }

    public Optional<ExecRecord> exec(String execId) {
        return Optional.ofNullable(execs.get(execId));
    }

    /** The execs, sorted by exec id. */
    public List<ExecRecord> execs() {
        List<ExecRecord> all = new ArrayList<>(execs.values());
        all.sort((a, b) -> a.execId().compareTo(b.execId()));
        return all;
    }

    /** Registers an exec; false when one with this exec id is registered. */
    public boolean addExec(ExecRecord exec) {
        return execs.putIfAbsent(exec.execId(), exec) == null;
    }

    /** Unregisters {@code exec} if it is still the one registered under its exec id. */
    public boolean removeExec(ExecRecord exec) {
        return execs.remove(exec.execId(), exec);
    }

    /** RUNNING -> PAUSED with a PAUSED event; null if the task was not running. */
    public Task markPaused(TaskEvents events) {
        return change(Status.STATUS_RUNNING, Status.STATUS_PAUSED, TaskEvent.Type.TYPE_PAUSED, events);
    }

    /** PAUSED -> RUNNING with a RESUMED event; null if the task was not paused. */
    public Task markResumed(TaskEvents events) {
        return change(Status.STATUS_PAUSED, Status.STATUS_RUNNING, TaskEvent.Type.TYPE_RESUMED, events);
    }
}
