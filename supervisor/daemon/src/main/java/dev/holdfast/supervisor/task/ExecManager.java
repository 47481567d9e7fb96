package dev.holdfast.supervisor.task;

import dev.holdfast.supervisor.api.CreateExecRequest;
import dev.holdfast.supervisor.api.Status;
import dev.holdfast.supervisor.api.Task;
import dev.holdfast.supervisor.api.TaskEvent;
import dev.holdfast.supervisor.bundle.ExecDirectory;
import dev.holdfast.supervisor.bundle.OciSpec;
import dev.holdfast.supervisor.config.SupervisorConfig;
import dev.holdfast.supervisor.shim.AdoptedExec;
import dev.holdfast.supervisor.shim.ShimConnection;
import dev.holdfast.supervisor.shim.ShimException;
import dev.holdfast.supervisor.shim.ShimLauncher;
import dev.holdfast.supervisor.shim.ShimPidFile;
import dev.holdfast.supervisor.shim.ShimReply;
import io.grpc.Status.Code;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Logger;

/**
 * The lifecycle of execs that differs from a task's: creating one (its directory, process.json and an exec-mode
 * shim), deleting one or all of a task's, adopting them at boot, and ending them when their task has exited.
 * Start, kill, wait and state are the same for every process and live in {@link TaskManager}.
 */
final class ExecManager {
    private static final Logger LOG = Logger.getLogger(ExecManager.class.getName());
    private static final Duration KILL_WAIT = Duration.ofSeconds(10);

    private final SupervisorConfig config;
    private final TaskEvents events;
    private final ShimLauncher launcher;
    private final ExitWatcher watcher;

    ExecManager(SupervisorConfig config, TaskEvents events, ShimLauncher launcher, ExitWatcher watcher) {
        this.config = config;
        this.events = events;
        this.launcher = launcher;
        this.watcher = watcher;
    }

    /** Registers the execs found at boot under their (already registered) task and waits on the live ones. */
    void adopt(TaskRecord task, List<AdoptedExec> found) {
        for (AdoptedExec a : found) {
            ExecRecord exec = new ExecRecord(task.dir().exec(a.execId()),
                    new ShimConnection(config.shimSocket(task.id(), a.execId())), a.shim(), a.shimPid(), a.pid(),
                    a.status(), a.exit());
            task.addExec(exec);
            if (a.isLive()) {
                watcher.watch(exec);
            }
        }
    }

    /** CreateExec: see tasks.proto. {@code task} is the request's task. */
    Task create(TaskRecord task, CreateExecRequest req) {
        String id = task.id();
        String execId = req.getExecId();
        String step = "exec " + execId + ": create";
        if (!TaskId.isValid(execId)) {
            throw new TaskException(Code.INVALID_ARGUMENT, id, "exec " + execId + ": create",
                    "invalid exec id (must match [a-zA-Z0-9][a-zA-Z0-9_.-]{0,127})");
        }
        byte[] process = req.getProcess().toByteArray();
        try {
            OciSpec.checkExecProcess(process, req.getTerminal());
        } catch (IllegalArgumentException e) {
            throw new TaskException(Code.INVALID_ARGUMENT, id, step, e.getMessage());
        }
        Path socket = config.shimSocket(id, execId);
        if (socket.toString().getBytes(StandardCharsets.UTF_8).length > TaskManager.MAX_SOCKET_PATH) {
            throw new TaskException(Code.INVALID_ARGUMENT, id, step,
                    "shim socket path " + socket + " would exceed " + TaskManager.MAX_SOCKET_PATH + " bytes");
        }
        // Under the task's lock: no delete, pause or second create of this exec id can interleave.
        task.operationLock().lock();
        try {
            if (task.status() != Status.STATUS_RUNNING) {
                throw new TaskException(Code.FAILED_PRECONDITION, id, step,
                        "task is " + ProcessRecord.statusName(task.status()) + ", not running");
            }
            if (task.exec(execId).isPresent()) {
                throw new TaskException(Code.ALREADY_EXISTS, id, step, "exec already exists");
            }
            ExecDirectory dir = task.dir().exec(execId);
            prepare(dir, process, socket, id, step);
            ShimReply reply;
            try {
                reply = launcher.launch(ShimLauncher.Launch.exec(id, task.dir().path(), socket, req.getStdin(),
                        req.getTerminal(), new ShimLauncher.Exec(execId, dir.processJson(), dir.path())));
            } catch (IOException e) {
                discard(dir, socket);
                throw new TaskException(Code.INTERNAL, id, step + ": launch shim " + launcher.shim(),
                        e.getMessage(), e);
            }
            if (reply instanceof ShimReply.Error error) {
                discard(dir, socket);
                throw new TaskException(Code.FAILED_PRECONDITION, id, step, error.message());
            }
            ShimReply.Ok ok = (ShimReply.Ok) reply;
            ExecRecord exec = new ExecRecord(dir, new ShimConnection(socket), readShimIdentity(dir, ok.shimPid()),
                    ok.shimPid(), 0, Status.STATUS_CREATED, null);
            synchronized (exec) {
                // Visible and announced as one step, so no EXEC_STARTED can precede the EXEC_ADDED.
                task.addExec(exec);
                exec.announceCreate(events);
            }
            watcher.watch(exec);
            LOG.info(exec.describe() + ": created, shim " + ok.shimPid());
            Task created = exec.toTask();
            if (task.isStopped()) {
                // The task exited while the shim started, and its settling may not have seen this exec.
                settle(task);
            }
            return created;
        } finally {
            task.operationLock().unlock();
        }
    }

    /**
     * Delete of one exec. A created (never started) exec's shim is killed; a running one needs {@code force}
     * (SIGKILL, then its exit is awaited).
     */
    Task delete(TaskRecord task, ExecRecord exec, boolean force) {
        String step = exec.step("delete");
        exec.operationLock().lock();
        try {
            if (task.exec(exec.execId()).orElse(null) != exec) {
                throw TaskException.execNotFound(exec.id(), exec.execId(), "delete");
            }
            if (exec.status() == Status.STATUS_RUNNING) {
                if (!force) {
                    throw new TaskException(Code.FAILED_PRECONDITION, exec.id(), step,
                            "exec is running; kill it first or use force");
                }
                forceStop(exec, step);
            }
            Task t = remove(task, exec);
            events.publish(TaskEvent.Type.TYPE_DELETE, t);
            LOG.info(exec.describe() + ": deleted");
            return t;
        } finally {
            exec.operationLock().unlock();
        }
    }

    /**
     * Part of deleting {@code task} (stopped by now): every exec is stopped, its shim gone, and it is unregistered
     * with a DELETE event. Its directory goes with the task's.
     */
    void deleteAll(TaskRecord task) {
        for (ExecRecord exec : task.execs()) {
            exec.operationLock().lock();
            try {
                if (task.exec(exec.execId()).orElse(null) != exec) {
                    continue;
                }
                if (exec.status() == Status.STATUS_RUNNING) {
                    forceStop(exec, exec.step("delete"));
                }
                Task t = remove(task, exec);
                events.publish(TaskEvent.Type.TYPE_DELETE, t);
            } finally {
                exec.operationLock().unlock();
            }
        }
    }

    /**
     * {@code task} has exited: its execs end too. Running ones get SIGKILL (in a pid namespace the kernel has done
     * that already); never started ones can no longer start: their shims are killed, which their waiters report as
     * lost (exit code 255). Either way each exec gets an exit status and an EXIT event.
     */
    void settle(TaskRecord task) {
        for (ExecRecord exec : task.execs()) {
            switch (exec.status()) {
                case STATUS_RUNNING -> {
                    try {
                        exec.shim().kill(9);
                    } catch (IOException | ShimException e) {
                        LOG.fine(exec.describe() + ": kill 9 after the task's exit: " + e.getMessage());
                    }
                }
                case STATUS_CREATED -> {
                    LOG.info(exec.describe() + ": never started and its task has exited; ending its shim");
                    ShimExits.kill(exec);
                }
                default -> {
                    // stopped already
                }
            }
        }
    }

    /** Unregisters a stopped or never started exec: its waiter, shim, socket and directory go. */
    private Task remove(TaskRecord task, ExecRecord exec) {
        watcher.forget(exec);
        if (exec.status() == Status.STATUS_CREATED) {
            ShimExits.kill(exec);
        } else {
            ShimExits.awaitExit(exec);
        }
        try {
            exec.dir().remove();
            Files.deleteIfExists(exec.shim().socket());
        } catch (IOException e) {
            throw new TaskException(Code.INTERNAL, exec.id(), exec.step("remove exec directory"), e.toString(), e);
        }
        task.removeExec(exec);
        if (!exec.isStopped()) {
            exec.deletedUnstopped();
        }
        return exec.toTask();
    }

    /** SIGKILL through the shim, then wait for the exit to be recorded. */
    private static void forceStop(ExecRecord exec, String step) {
        try {
            exec.shim().kill(9);
        } catch (IOException | ShimException e) {
            LOG.info(exec.describe() + ": delete --force: kill 9: " + e.getMessage());
        }
        try {
            exec.whenStopped().get(KILL_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new TaskException(Code.DEADLINE_EXCEEDED, exec.id(), step,
                    "exec did not exit within " + KILL_WAIT.toSeconds() + "s of SIGKILL");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TaskException(Code.CANCELLED, exec.id(), step, "interrupted");
        } catch (ExecutionException e) {
            throw new TaskException(Code.INTERNAL, exec.id(), step, e.getCause().toString());
        }
    }

    private static void prepare(ExecDirectory dir, byte[] process, Path socket, String id, String step) {
        try {
            if (dir.exists()) {
                // Not registered, so not adopted at boot: what an earlier failed create left behind.
                LOG.warning("task " + id + ": removing leftover " + dir.path());
                dir.remove();
            }
            dir.createWithParent();
            dir.writeProcess(process);
            Files.deleteIfExists(socket);
        } catch (IOException e) {
            tryRemove(dir);
            throw new TaskException(Code.INTERNAL, id, step + ": write process.json", e.toString(), e);
        }
    }

    /** A create that failed leaves nothing: no shim, no directory, no socket. */
    private static void discard(ExecDirectory dir, Path socket) {
        try {
            Optional<String> text = dir.readShimPid();
            if (text.isPresent()) {
                ShimPidFile shim = ShimPidFile.parse(text.get());
                if (shim.isLiveShimFor(dir.task().id(), dir.execId())) {
                    ProcessHandle.of(shim.pid()).ifPresent(ProcessHandle::destroyForcibly);
                }
                ShimExits.awaitGone("task " + dir.task().id() + " exec " + dir.execId(), shim.pid(),
                        () -> shim.isLiveShimFor(dir.task().id(), dir.execId()), ShimExits.SHIM_EXIT_WAIT);
            }
        } catch (IOException | IllegalArgumentException e) {
            LOG.warning("task " + dir.task().id() + " exec " + dir.execId() + ": cleanup after failed create: "
                    + e.getMessage());
        }
        tryRemove(dir);
        try {
            Files.deleteIfExists(socket);
        } catch (IOException ignored) {
            // best effort
        }
    }

    private static void tryRemove(ExecDirectory dir) {
        try {
            dir.remove();
        } catch (IOException e) {
            LOG.warning("cannot remove " + dir.path() + ": " + e);
        }
    }

    private static ShimPidFile readShimIdentity(ExecDirectory dir, int shimPid) {
        try {
            Optional<String> text = dir.readShimPid();
            if (text.isPresent()) {
                ShimPidFile f = ShimPidFile.parse(text.get());
                if (f.pid() == shimPid) {
                    return f;
                }
                LOG.warning(dir.path() + ": shim.pid says " + f.pid() + ", shim said " + shimPid);
            } else {
                LOG.warning(dir.path() + ": no shim.pid after create");
            }
        } catch (IOException | IllegalArgumentException e) {
            LOG.warning(dir.path() + ": " + e.getMessage());
        }
        return null;
    }
}
