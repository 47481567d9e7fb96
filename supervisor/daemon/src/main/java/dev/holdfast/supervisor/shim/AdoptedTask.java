package dev.holdfast.supervisor.shim;

import dev.holdfast.supervisor.api.Status;
import dev.holdfast.supervisor.bundle.ExitRecord;
import java.util.List;

/**
 * A task found on disk at boot. Live tasks ({@code CREATED}, {@code RUNNING}, {@code PAUSED}) carry the shim's
 * identity and get a waiter; stopped ones carry their exit status. {@code execs} are its execs found alongside.
 */
public record AdoptedTask(String id, Status status, int pid, int shimPid, ShimPidFile shim, ExitRecord exit,
        List<AdoptedExec> execs) {

    public static AdoptedTask live(String id, Status status, int pid, ShimPidFile shim) {
        return new AdoptedTask(id, status, pid, shim.pid(), shim, null, List.of());
    }

    public static AdoptedTask stopped(String id, int shimPid, ExitRecord exit) {
        return new AdoptedTask(id, Status.STATUS_STOPPED, exit.pid(), shimPid, null, exit, List.of());
    }

    public AdoptedTask withStatus(Status s) {
        return new AdoptedTask(id, s, pid, shimPid, shim, exit, execs);
    }

    public AdoptedTask withExecs(List<AdoptedExec> found) {
        return new AdoptedTask(id, status, pid, shimPid, shim, exit, List.copyOf(found));
    }

    public boolean isLive() {
        return status != Status.STATUS_STOPPED;
    }
}
