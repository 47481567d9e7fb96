package dev.holdfast.supervisor.shim;

import dev.holdfast.supervisor.api.Status;
import dev.holdfast.supervisor.bundle.ExitRecord;

/**
 * An exec found on disk at boot, in its task's {@code execs/}. Live ones ({@code CREATED}: pid 0, {@code RUNNING})
 * carry the shim's identity; stopped ones their exit status.
 */
public record AdoptedExec(String execId, Status status, int pid, int shimPid, ShimPidFile shim, ExitRecord exit) {

    public static AdoptedExec live(String execId, Status status, int pid, ShimPidFile shim) {
        return new AdoptedExec(execId, status, pid, shim.pid(), shim, null);
    }

    public static AdoptedExec stopped(String execId, int shimPid, ExitRecord exit) {
        return new AdoptedExec(execId, Status.STATUS_STOPPED, exit.pid(), shimPid, null, exit);
    }

    public boolean isLive() {
        return status != Status.STATUS_STOPPED;
    }
}
