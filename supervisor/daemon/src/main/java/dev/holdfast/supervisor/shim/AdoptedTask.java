package dev.holdfast.supervisor.shim;

import dev.holdfast.supervisor.api.Status;
import dev.holdfast.supervisor.bundle.ExitRecord;

/**
 * A task found on disk at boot. Live tasks ({@code CREATED}, {@code RUNNING}) carry the shim's identity and get a
 * waiter; stopped ones carry their exit status.
 */
public record AdoptedTask(String id, Status status, int pid, int shimPid, ShimPidFile shim, ExitRecord exit) {

    public static AdoptedTask live(String id, Status status, int pid, ShimPidFile shim) {
        return new AdoptedTask(id, status, pid, shim.pid(), shim, null);
    }

    public static AdoptedTask stopped(String id, int shimPid, ExitRecord exit) {
        return new AdoptedTask(id, Status.STATUS_STOPPED, exit.pid(), shimPid, null, exit);
    }

    public boolean isLive() {
        return status != Status.STATUS_STOPPED;
    }
}
