package dev.holdfast.supervisor.task;

import dev.holdfast.supervisor.api.CreateExecRequest;
import dev.holdfast.supervisor.api.CreateTaskRequest;
import dev.holdfast.supervisor.api.Status;
import dev.holdfast.supervisor.api.Task;
import dev.holdfast.supervisor.api.TaskEvent;
import dev.holdfast.supervisor.bundle.ExecDirectory;
import dev.holdfast.supervisor.bundle.ExitRecord;
import dev.holdfast.supervisor.bundle.OciSpec;
import dev.holdfast.supervisor.cgroup.LeftoverCgroups;
import dev.holdfast.supervisor.bundle.TaskDirectory;
import dev.holdfast.supervisor.cgroup.MemoryCgroups;
import dev.holdfast.supervisor.config.SupervisorConfig;
import dev.holdfast.supervisor.runc.TaskRuntimes;
import dev.holdfast.supervisor.shim.AdoptedTask;
import dev.holdfast.supervisor.shim.LostShims;
import dev.holdfast.supervisor.shim.ShimAttach;
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
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Logger;

/**
 * The task operations behind the gRPC service (containerd-like semantics; see tasks.proto). Operations that take an
 * exec id act on that exec ("" for the task's init). Every failure is a {@link TaskException} naming the task and
 * the step.
 */
public final class TaskManager implements ExitWatcher.Sink, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(TaskManager.class.getName());
    /** sun_path is 108 bytes including the terminating NUL. */
    static final int MAX_SOCKET_PATH = 107;
    private static final Duration KILL_WAIT = Duration.ofSeconds(10);

    private final SupervisorConfig config;
    private final TaskRegistry registry;
    private final TaskEvents events;
    private final ShimLauncher launcher;
    private final TaskRuntimes runtimes;
    private final LostShims lostShims;
    private final ExitWatcher watcher;
    private final ExecManager execs;
    private final ContainerControls controls;
    private final OomVerdicts oomVerdicts;

    /** @param memoryCgroups the host's memory cgroups, empty when it has no memory controller */
    public TaskManager(SupervisorConfig config, TaskRegistry registry, TaskEvents events, ShimLauncher launcher,
            TaskRuntimes runtimes, LostShims lostShims, Optional<MemoryCgroups> memoryCgroups) {
        this.config = config;
        this.registry = registry;
        this.events = events;
        this.launcher = launcher;
        this.runtimes = runtimes;
        this.lostShims = lostShims;
        this.watcher = new ExitWatcher(this);
        this.execs = new ExecManager(config, events, launcher, watcher);
        this.controls = new ContainerControls(runtimes, events);
        this.oomVerdicts = new OomVerdicts(memoryCgroups);
    }

    public TaskEvents events() {
        return events;
    }

    /**
     * Registers the tasks (and their execs) found at boot and starts waiting on the live ones. No events: nothing
     * changed. The execs of a task that stopped meanwhile are ended (see {@link ExecManager#settle}).
     */
    public void adopt(List<AdoptedTask> found) {
        for (AdoptedTask a : found) {
            TaskDirectory dir = new TaskDirectory(config.tasksDir(), a.id());
            // A task that stopped while no supervisor ran still has its cgroup: settle its OOM verdict now.
            ExitRecord exit = a.exit() == null ? null : oomVerdicts.settle(dir, a.exit());
            TaskRecord record = new TaskRecord(a.id(), dir, new ShimConnection(config.shimSocket(a.id())), a.shim(),
                    a.shimPid(), a.pid(), a.status(), exit);
            registry.commit(record);
            execs.adopt(record, a.execs());
            if (a.isLive()) {
                watcher.watch(record);
            } else {
                execs.settle(record);
            }
        }
    }

    public Task create(CreateTaskRequest req) {
        String id = req.getId();
        if (!TaskId.isValid(id)) {
            throw new TaskException(Code.INVALID_ARGUMENT, id, "create",
                    "invalid task id (must match [a-zA-Z0-9][a-zA-Z0-9_.-]{0,127})");
        }
        if (req.getLogPath().isEmpty() || !req.getLogPath().startsWith("/")) {
            throw new TaskException(Code.INVALID_ARGUMENT, id, "create", "log_path must be an absolute path");
        }
        Path socket = config.shimSocket(id);
        if (socket.toString().getBytes(StandardCharsets.UTF_8).length > MAX_SOCKET_PATH) {
            throw new TaskException(Code.INVALID_ARGUMENT, id, "create",
                    "shim socket path " + socket + " would exceed " + MAX_SOCKET_PATH + " bytes; use a shorter id");
        }
        byte[] spec;
        try {
            spec = OciSpec.prepare(req.getSpec().toByteArray(), config.cgroupParent(), id);
            OciSpec.checkTerminal(spec, req.getTerminal());
        } catch (IllegalArgumentException e) {
            throw new TaskException(Code.INVALID_ARGUMENT, id, "create", e.getMessage());
        }
        if (!registry.reserve(id)) {
            throw new TaskException(Code.ALREADY_EXISTS, id, "create", "task already exists");
        }
        boolean committed = false;
        try {
            TaskDirectory dir = new TaskDirectory(config.tasksDir(), id);
            prepareBundle(dir, spec, socket, req);
            String cgroupsPath = OciSpec.cgroupsPath(spec);
            ShimReply reply = launchShim(req, dir, socket, cgroupsPath);
            if (reply instanceof ShimReply.Error error) {
                discardFailedCreate(dir, socket, cgroupsPath);
                throw new TaskException(Code.FAILED_PRECONDITION, id, "create", error.message());
            }
            ShimReply.Ok ok = (ShimReply.Ok) reply;
            TaskRecord record = new TaskRecord(id, dir, new ShimConnection(socket), readShimIdentity(dir, ok),
                    ok.shimPid(), ok.pid(), Status.STATUS_CREATED, null);
            synchronized (record) {
                // Visible and announced as one step, so no START can precede the CREATE.
                registry.commit(record);
                committed = true;
                record.announceCreate(events);
            }
            watcher.watch(record);
            LOG.info("task " + id + ": created, pid " + ok.pid() + ", shim " + ok.shimPid());
            return record.toTask();
        } finally {
            if (!committed) {
                registry.release(id);
            }
        }
    }

    /** Adds an exec to a running task; see {@link ExecManager#create}. */
    public Task createExec(CreateExecRequest req) {
        TaskRecord task = findTask(req.getId(), "exec " + req.getExecId() + ": create");
        return execs.create(task, req);
    }

    /** Starts a created task ({@code runc start}) or exec ({@code runc exec}, in a running task only). */
    public Task start(String id, String execId) {
        ProcessRecord record = registry.process(id, execId, "start");
        String step = record.step("start");
        record.operationLock().lock();
        try {
            if (record instanceof ExecRecord) {
                TaskRecord task = findTask(id, step);
                if (task.status() != Status.STATUS_RUNNING) {
                    throw new TaskException(Code.FAILED_PRECONDITION, id, step,
                            "task is " + ProcessRecord.statusName(task.status()) + ", not running");
                }
            }
            record.beginStart();
            int pid;
            try {
                pid = record.shim().start();
            } catch (ShimException e) {
                record.finishStart(false, events);
                throw new TaskException(Code.FAILED_PRECONDITION, id, step, e.getMessage());
            } catch (IOException | RuntimeException e) {
                record.finishStart(false, events);
                throw new TaskException(Code.INTERNAL, id, step, "shim: " + e.getMessage(), e);
            }
            Task started = record.finishStart(true, pid, events);
            LOG.info(record.describe() + ": started" + (pid > 0 ? ", pid " + pid : ""));
            return started;
        } finally {
            record.operationLock().unlock();
        }
    }

    /** Signals a task's init ({@code all}: every process of the task) or an exec's process. */
    public Task kill(String id, String execId, int signal, boolean all) {
        String op = all ? "kill --all " + signal : "kill " + signal;
        if (signal < 1 || signal > 64) {
            throw new TaskException(Code.INVALID_ARGUMENT, id, stepFor(execId, op), "signal must be 1..64");
        }
        if (all && !execId.isEmpty()) {
            throw new TaskException(Code.INVALID_ARGUMENT, id, stepFor(execId, op),
                    "all signals every process of the task: send it without an exec id");
        }
        ProcessRecord record = registry.process(id, execId, op);
        callShim(record, op, shim -> {
            if (all) {
                shim.killAll(signal);
            } else {
                shim.kill(signal);
            }
            return null;
        });
        return record.toTask();
    }

    /** Completes with the stopped process. */
    public CompletableFuture<Task> await(String id, String execId) {
        return registry.process(id, execId, "wait").whenStopped();
    }

    public Task state(String id, String execId) {
        return registry.process(id, execId, "state").toTask();
    }

    /** Every task (their init processes; execs are not listed). */
    public List<Task> list() {
        return registry.list().stream().map(TaskRecord::toTask).toList();
    }

    /** Sets the terminal size of a process started with a tty. */
    public Task resizePty(String id, String execId, int width, int height) {
        String op = "resize pty";
        if (width < 0 || width > 65535 || height < 0 || height > 65535) {
            throw new TaskException(Code.INVALID_ARGUMENT, id, stepFor(execId, op),
                    "width and height must be 0..65535");
        }
        ProcessRecord record = registry.process(id, execId, op);
        callShim(record, op, shim -> {
            shim.resize(width, height);
            return null;
        });
        return record.toTask();
    }

    /** Closes a process's stdin once pending input is written. */
    public Task closeStdin(String id, String execId) {
        ProcessRecord record = registry.process(id, execId, "close stdin");
        callShim(record, "close stdin", shim -> {
            shim.closeStdin();
            return null;
        });
        return record.toTask();
    }

    /**
     * An attach connection to a process that has not stopped (a created one included: nothing is missed when the
     * client attaches before Start). The caller closes it.
     */
    public ShimAttach attach(String id, String execId, boolean stdinOnce) {
        ProcessRecord record = registry.process(id, execId, "attach");
        return callShim(record, "attach", shim -> shim.attach(stdinOnce));
    }

    /**
     * For an attach whose shim connection ended: true once the process has exited (or is gone), with its exit
     * recorded, so State and Wait report it before the attach ends (the engine reads an exec's exit code right
     * after). The shim writes exit.json before it closes attach connections, so an attach that ends while this is
     * false was dropped by the shim.
     */
    public boolean settleExit(String id, String execId) {
        Optional<TaskRecord> task = registry.get(id);
        Optional<? extends ProcessRecord> record = execId.isEmpty() ? task : task.flatMap(t -> t.exec(execId));
        return record.isEmpty() || exitSettled(record.get());
    }

    public Task pause(String id) {
        return controls.pause(findTask(id, "pause"));
    }

    public Task resume(String id) {
        return controls.resume(findTask(id, "resume"));
    }

    public List<Integer> listPids(String id) {
        return controls.pids(findTask(id, "list pids"));
    }

    public byte[] stats(String id) {
        return controls.stats(findTask(id, "stats"));
    }

    public Task update(String id, byte[] resources) {
        return controls.update(findTask(id, "update"), resources);
    }

    /** Deletes a task with its execs, or one exec. */
    public Task delete(String id, String execId, boolean force) {
        if (!execId.isEmpty()) {
            TaskRecord task = findTask(id, "exec " + execId + ": delete");
            ExecRecord exec = task.exec(execId).orElseThrow(() -> TaskException.execNotFound(id, execId, "delete"));
            return execs.delete(task, exec, force);
        }
        TaskRecord record = findTask(id, "delete");
        record.operationLock().lock();
        try {
            if (registry.get(id).orElse(null) != record) {
                throw TaskException.notFound(id, "delete");
            }
            if (!record.isStopped()) {
                if (!force) {
                    throw new TaskException(Code.FAILED_PRECONDITION, id, "delete",
                            "task is " + ProcessRecord.statusName(record.status()) + "; kill it first or use force");
                }
                forceStop(record);
            }
            execs.deleteAll(record);
            ShimExits.awaitExit(record);
            try {
                runtimes.of(id).deleteForce(id);
            } catch (IOException e) {
                throw new TaskException(Code.INTERNAL, id, "runc delete", e.getMessage(), e);
            }
            runtimes.forget(id);
            watcher.forget(record);
            try {
                record.dir().remove();
                Files.deleteIfExists(record.shim().socket());
            } catch (IOException e) {
                throw new TaskException(Code.INTERNAL, id, "remove task directory", e.toString(), e);
            }
            registry.remove(record);
            Task t = record.toTask();
            events.publish(TaskEvent.Type.TYPE_DELETE, t);
            LOG.info("task " + id + ": deleted");
            return t;
        } finally {
            record.operationLock().unlock();
        }
    }

    @Override
    public void exited(ProcessRecord process, ExitRecord exit) {
        boolean recorded;
        // The waiter and whoever saw the shim finish (see exitSettled) may both bring the exit: one records it, and
        // only one at a time rewrites exit.json with the OOM verdict.
        synchronized (process) {
            if (process.hasExited()) {
                recorded = false;
            } else {
                if (process instanceof TaskRecord task) {
                    exit = oomVerdicts.settle(task.dir(), exit);
                }
                recorded = process.exited(exit, events);
            }
        }
        if (recorded) {
            LOG.info(process.describe() + ": exited with code " + exit.exitCode()
                    + (exit.oomKilled().orElse(false) ? " (OOM-killed)" : ""));
        }
        if (process instanceof TaskRecord task) {
            execs.settle(task);
        }
    }

    @Override
    public void lost(ProcessRecord process) {
        ExitRecord exit;
        try {
            exit = switch (process.dir()) {
                case TaskDirectory dir -> lostShims.recordLost(dir);
                case ExecDirectory dir -> lostShims.recordLost(dir);
            };
        } catch (IOException e) {
            LOG.severe(process.describe() + ": shim lost and exit.json not written: " + e.getMessage());
            exit = new ExitRecord(0, LostShims.LOST_EXIT_CODE, Instant.now());
        }
        exited(process, exit);
    }

    /** Stops waiting on shims. Tasks and shims are left exactly as they are. */
    @Override
    public void close() {
        watcher.close();
    }

    private TaskRecord findTask(String id, String step) {
        return registry.get(id).orElseThrow(() -> TaskException.notFound(id, step));
    }

    private static String stepFor(String execId, String op) {
        return execId.isEmpty() ? op : "exec " + execId + ": " + op;
    }

    private interface ShimCall<T> {
        T call(ShimConnection shim) throws IOException, ShimException;
    }

    /**
     * One request to a live process's shim. A stopped process, or a failure because it stopped meanwhile, is
     * FAILED_PRECONDITION "not running"; the shim's {@code error} answer is FAILED_PRECONDITION with its message;
     * a shim that cannot be reached is INTERNAL (UNAVAILABLE would tell the client to retry the supervisor).
     */
    private <T> T callShim(ProcessRecord record, String op, ShimCall<T> call) {
        String step = record.step(op);
        if (record.isStopped()) {
            throw notRunning(record, step);
        }
        try {
            return call.call(record.shim());
        } catch (ShimException e) {
            if (exitSettled(record)) {
                throw notRunning(record, step);
            }
            throw new TaskException(Code.FAILED_PRECONDITION, record.id(), step, e.getMessage());
        } catch (IOException e) {
            if (exitSettled(record)) {
                throw notRunning(record, step);
            }
            throw new TaskException(Code.INTERNAL, record.id(), step, "shim: " + e.getMessage(), e);
        }
    }

    private static TaskException notRunning(ProcessRecord record, String step) {
        return new TaskException(Code.FAILED_PRECONDITION, record.id(), step,
                (record.isExec() ? "exec is " : "task is ") + ProcessRecord.statusName(record.status())
                        + ", not running");
    }

    /**
     * True once {@code record} has exited. The shim writes exit.json before it answers our waiter and closes its
     * other connections, so one who sees the shim finish may be ahead of the waiter: the exit is then recorded from
     * exit.json here, and what that one tells next (an attach's end, a refused request) agrees with State and Wait.
     */
    private boolean exitSettled(ProcessRecord record) {
        if (record.hasExited()) {
            return true;
        }
        Optional<ExitRecord> written;
        try {
            written = record.dir().readExit();
        } catch (IOException e) {
            LOG.warning(record.describe() + ": " + e.getMessage());
            return false;
        }
        written.ifPresent(exit -> exited(record, exit));
        return written.isPresent();
    }

    private void prepareBundle(TaskDirectory dir, byte[] spec, Path socket, CreateTaskRequest req) {
        try {
            if (dir.exists()) {
                // Not registered, so not adopted at boot: what an earlier failed create left behind.
                LOG.warning("task " + dir.id() + ": removing leftover " + dir.path());
                dir.remove();
            }
            dir.create();
            dir.writeSpec(spec);
            runtimes.choose(dir.id(), dir.path(), req.getRuntime().getName(), req.getRuntime().getPath());
            Files.deleteIfExists(socket);
        } catch (IllegalArgumentException e) {
            tryRemove(dir);
            throw new TaskException(Code.INVALID_ARGUMENT, dir.id(), "create", e.getMessage());
        } catch (IOException e) {
            tryRemove(dir);
            throw new TaskException(Code.INTERNAL, dir.id(), "write bundle", e.toString(), e);
        }
    }

    private ShimReply launchShim(CreateTaskRequest req, TaskDirectory dir, Path socket, String cgroupsPath) {
        try {
            return launcher.launch(ShimLauncher.Launch.container(req.getId(), dir.path(), socket, req.getLogPath(),
                    req.getStdin(), req.getTerminal(), req.getLogMaxSize(), req.getLogMaxFiles(), dir.shimStderr()));
        } catch (IOException e) {
            discardFailedCreate(dir, socket, cgroupsPath);
            throw new TaskException(Code.INTERNAL, req.getId(), "launch shim " + launcher.shim(), e.getMessage(), e);
        }
    }

    private static ShimPidFile readShimIdentity(TaskDirectory dir, ShimReply.Ok ok) {
        try {
            Optional<String> text = dir.readShimPid();
            if (text.isPresent()) {
                ShimPidFile f = ShimPidFile.parse(text.get());
                if (f.pid() == ok.shimPid()) {
                    return f;
                }
                LOG.warning("task " + dir.id() + ": shim.pid says " + f.pid() + ", shim said " + ok.shimPid());
            } else {
                LOG.warning("task " + dir.id() + ": no shim.pid after create");
            }
        } catch (IOException | IllegalArgumentException e) {
            LOG.warning("task " + dir.id() + ": " + e.getMessage());
        }
        return null;
    }

    /** A create that failed leaves nothing: no container, no shim, no directory. */
    private void discardFailedCreate(TaskDirectory dir, Path socket, String cgroupsPath) {
        try {
            runtimes.of(dir.id()).deleteForce(dir.id());
        } catch (IOException e) {
            LOG.warning("task " + dir.id() + ": cleanup after failed create: " + e.getMessage());
        }
        LeftoverCgroups.remove(dir.id(), cgroupsPath);
        runtimes.forget(dir.id());
        try {
            Optional<String> text = dir.readShimPid();
            if (text.isPresent()) {
                ShimPidFile shim = ShimPidFile.parse(text.get());
                ShimExits.awaitGone("task " + dir.id(), shim.pid(), () -> shim.isLiveShimFor(dir.id()),
                        ShimExits.SHIM_EXIT_WAIT);
            }
        } catch (IOException | IllegalArgumentException e) {
            LOG.warning("task " + dir.id() + ": cleanup after failed create: " + e.getMessage());
        }
        tryRemove(dir);
        try {
            Files.deleteIfExists(socket);
        } catch (IOException ignored) {
            // best effort
        }
    }

    private static void tryRemove(TaskDirectory dir) {
        try {
            dir.remove();
        } catch (IOException e) {
            LOG.warning("task " + dir.id() + ": cannot remove " + dir.path() + ": " + e);
        }
    }

    /**
     * Delete with force of a live task: SIGKILL its init and wait for the exit to be recorded. A paused task is
     * resumed after the signal, so the frozen processes can die.
     */
    private void forceStop(TaskRecord record) {
        try {
            record.shim().kill(9);
        } catch (IOException | ShimException e) {
            LOG.info("task " + record.id() + ": delete --force: kill 9: " + e.getMessage());
        }
        if (record.status() == Status.STATUS_PAUSED) {
            try {
                runtimes.of(record.id()).resume(record.id());
                record.markResumed(events);
            } catch (IOException e) {
                LOG.warning("task " + record.id() + ": delete --force: resume: " + e.getMessage());
            }
        }
        try {
            record.whenStopped().get(KILL_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new TaskException(Code.DEADLINE_EXCEEDED, record.id(), "delete --force",
                    "task did not exit within " + KILL_WAIT.toSeconds() + "s of SIGKILL");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TaskException(Code.CANCELLED, record.id(), "delete --force", "interrupted");
        } catch (ExecutionException e) {
            throw new TaskException(Code.INTERNAL, record.id(), "delete --force", e.getCause().toString());
        }
    }
}
