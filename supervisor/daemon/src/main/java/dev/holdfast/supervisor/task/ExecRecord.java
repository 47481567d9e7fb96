package dev.holdfast.supervisor.task;

import dev.holdfast.supervisor.api.Status;
import dev.holdfast.supervisor.bundle.ExecDirectory;
import dev.holdfast.supervisor.bundle.ExitRecord;
import dev.holdfast.supervisor.shim.ShimConnection;
import dev.holdfast.supervisor.shim.ShimPidFile;

/** An additional process of a task (CreateExec): CREATED with pid 0 until started, then RUNNING, STOPPED. */
public final class ExecRecord extends ProcessRecord {
    private final ExecDirectory dir;

    public ExecRecord(ExecDirectory dir, ShimConnection shim, ShimPidFile shimIdentity, int shimPid, int pid,
            Status status, ExitRecord exit) {
        super(dir.task().id(), dir.execId(), shim, shimIdentity, shimPid, pid, status, exit);
        this.dir = dir;
    }

    @Override
    public ExecDirectory dir() {
        return dir;
    }
}
