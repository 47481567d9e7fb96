package dev.holdfast.supervisor.task;

import dev.holdfast.supervisor.api.CreateTaskRequest;
import dev.holdfast.supervisor.api.Status;
import dev.holdfast.supervisor.api.Task;
import dev.holdfast.supervisor.api.TaskEvent;
import dev.holdfast.supervisor.bundle.ExitRecord;
import dev.holdfast.supervisor.bundle.OciSpec;
import dev.holdfast.supervisor.bundle.TaskDirectory;
import dev.holdfast.supervisor.config.SupervisorConfig;
import dev.holdfast.supervisor.runc.Runc;
import dev.holdfast.supervisor.shim.AdoptedTask;
import dev.holdfast.supervisor.shim.LostShims;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Logger;

/**
 * The task operations behind the gRPC service (containerd-like semantics; see tasks.proto). Every failure is a
 * {@link TaskException} naming the task and the step.
 */
public final class TaskManager implements ExitWatcher.Sink, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(TaskManager.class.getName());
    /** sun_path is 108 bytes including the terminating NUL. */
    static final int MAX_SOCKET_PATH = 107;
    private static final Duration KILL_WAIT = Duration.ofSeconds(10);
    private static final Duration SHIM_EXIT_WAIT = Duration.ofSeconds(5);

    private final SupervisorConfig config;
    private final TaskRegistry registry;
    private final TaskEvents events;
    private final ShimLauncher launcher;
    private final Runc runc;
    private final LostShims lostShims;
    private final ExitWatcher watcher;

    public TaskManager(SupervisorConfig config, TaskRegistry registry, TaskEvents events, ShimLauncher launcher,
            Runc runc, LostShims lostShims) {
        this.config = config;
        this.registry = registry;
        this.events = events;
        this.launcher = launcher;
        this.runc = runc;
        this.lostShims = lostShims;
        this.watcher = new ExitWatcher(this);
    }

    public TaskEvents events() {
        return events;
    }

    /** Registers the tasks found at boot and starts waiting on the live ones. No events: nothing changed. */
    public void adopt(List<AdoptedTask> found) {
        for (AdoptedTask a : found) {
            TaskRecord record = new TaskRecord(a.id(), new TaskDirectory(config.tasksDir(), a.id()),
                    new ShimConnection(config.shimSocket(a.id())), a.shim(), a.shimPid(), a.pid(), a.status(),
                    a.exit());
            registry.commit(record);
            if (a.isLive()) {
                watcher.watch(record);
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
        } catch (IllegalArgumentException e) {
            throw new TaskException(Code.INVALID_ARGUMENT, id, "create", e.getMessage());
        }
        if (!registry.reserve(id)) {
            throw new TaskException(Code.ALREADY_EXISTS, id, "create", "task already exists");
        }
        boolean committed = false;
        try {
            TaskDirectory dir = new TaskDirectory(config.tasksDir(), id);
            prepareBundle(dir, spec, socket);
            ShimReply reply = launchShim(req, dir, socket);
            if (reply instanceof ShimReply.Error error) {
                discardFailedCreate(dir, socket);
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

    public Task start(String id) {
        TaskRecord record = find(id, "start");
        record.operationLock().lock();
        try {
            record.beginStart();
            try {
                record.shim().start();
            } catch (ShimException e) {
                record.finishStart(false, events);
                throw new TaskException(Code.FAILED_PRECONDITION, id, "start", e.getMessage());
            } catch (IOException | RuntimeException e) {
                record.finishStart(false, events);
                throw new TaskException(Code.UNAVAILABLE, id, "start", "shim: " + e.getMessage(), e);
            }
            Task started = record.finishStart(true, events);
            LOG.info("task " + id + ": started");
            return started;
        } finally {
            record.operationLock().unlock();
        }
    }

    public Task kill(String id, int signal, boolean all) {
        String step = all ? "kill --all " + signal : "kill " + signal;
        if (signal < 1 || signal > 64) {
            throw new TaskException(Code.INVALID_ARGUMENT, id, step, "signal must be 1..64");
        }
        TaskRecord record = find(id, step);
        if (record.isStopped()) {
            throw notRunning(record, step);
        }
        try {
            if (all) {
                record.shim().killAll(signal);
            } else {
                record.shim().kill(signal);
            }
        } catch (ShimException e) {
            if (record.isStopped() || exitRecorded(record)) {
                throw notRunning(record, step);
            }
            throw new TaskException(Code.FAILED_PRECONDITION, id, step, e.getMessage());
        } catch (IOException e) {
            if (record.isStopped() || exitRecorded(record)) {
                throw notRunning(record, step);
            }
            throw new TaskException(Code.UNAVAILABLE, id, step, "shim: " + e.getMessage(), e);
        }
        return record.toTask();
    }

    /** Completes with the stopped task. */
    public CompletableFuture<Task> await(String id) {
        return find(id, "wait").whenStopped();
    }

    public Task state(String id) {
        return find(id, "state").toTask();
    }

    public List<Task> list() {
        return registry.list().stream().map(TaskRecord::toTask).toList();
    }

    public Task delete(String id, boolean force) {
        TaskRecord record = find(id, "delete");
        record.operationLock().lock();
        try {
            if (registry.get(id).orElse(null) != record) {
                throw TaskException.notFound(id, "delete");
            }
            if (!record.isStopped()) {
                if (!force) {
                    throw new TaskException(Code.FAILED_PRECONDITION, id, "delete",
                            "task is " + TaskRecord.describe(record.status()) + "; kill it first or use force");
                }
                forceStop(record);
            }
            waitForShimExit(record);
            try {
                runc.deleteForce(id);
            } catch (IOException e) {
                throw new TaskException(Code.INTERNAL, id, "runc delete", e.getMessage(), e);
            }
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
    public void exited(TaskRecord task, ExitRecord exit) {
        if (task.exited(exit, events)) {
            LOG.info("task " + task.id() + ": exited with code " + exit.exitCode());
        }
    }

    @Override
    public void lost(TaskRecord task) {
        try {
            exited(task, lostShims.recordLost(task.dir()));
        } catch (IOException e) {
            LOG.severe("task " + task.id() + ": shim lost and exit.json not written: " + e.getMessage());
            exited(task, new ExitRecord(0, LostShims.LOST_EXIT_CODE, java.time.Instant.now()));
        }
    }

    /** Stops waiting on shims. Tasks and shims are left exactly as they are. */
    @Override
    public void close() {
        watcher.close();
    }

    private TaskRecord find(String id, String step) {
        return registry.get(id).orElseThrow(() -> TaskException.notFound(id, step));
    }

    private TaskException notRunning(TaskRecord record, String step) {
        return new TaskException(Code.FAILED_PRECONDITION, record.id(), step,
                "task is " + TaskRecord.describe(record.status()) + ", not running");
    }

    private static boolean exitRecorded(TaskRecord record) {
        try {
            return record.dir().readExit().isPresent();
        } catch (IOException e) {
            return false;
        }
    }

    private void prepareBundle(TaskDirectory dir, byte[] spec, Path socket) {
        try {
            if (dir.exists()) {
                // Not registered, so not adopted at boot: what an earlier failed create left behind.
                LOG.warning("task " + dir.id() + ": removing leftover " + dir.path());
                dir.remove();
            }
            dir.create();
            dir.writeSpec(spec);
            Files.deleteIfExists(socket);
        } catch (IOException e) {
            tryRemove(dir);
            throw new TaskException(Code.INTERNAL, dir.id(), "write bundle", e.toString(), e);
        }
    }

    private ShimReply launchShim(CreateTaskRequest req, TaskDirectory dir, Path socket) {
        try {
            return launcher.launch(new ShimLauncher.Launch(req.getId(), dir.path(), socket, req.getLogPath(),
                    req.getStdin(), req.getLogMaxSize(), req.getLogMaxFiles(), dir.shimStderr()));
        } catch (IOException e) {
            discardFailedCreate(dir, socket);
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
    private void discardFailedCreate(TaskDirectory dir, Path socket) {
        try {
            runc.deleteForce(dir.id());
        } catch (IOException e) {
            LOG.warning("task " + dir.id() + ": cleanup after failed create: " + e.getMessage());
        }
        try {
            Optional<String> text = dir.readShimPid();
            if (text.isPresent()) {
                ShimPidFile shim = ShimPidFile.parse(text.get());
                awaitGone(dir.id(), shim.pid(), () -> shim.isLiveShimFor(dir.id()));
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

    /** Delete with force of a live task: SIGKILL its init and wait for the exit to be recorded. */
    private void forceStop(TaskRecord record) {
        try {
            record.shim().kill(9);
        } catch (IOException | ShimException e) {
            LOG.info("task " + record.id() + ": delete --force: kill 9: " + e.getMessage());
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

    /** After the exit, the shim finishes its answers and exits; give it a moment, then make sure it is gone. */
    private static void waitForShimExit(TaskRecord record) {
        awaitGone(record.id(), record.shimPid(), record::isShimAlive);
    }

    /**
     * Polls {@code alive} (a /proc check that treats zombies as gone: not every init reaps promptly) until it is
     * false or {@link #SHIM_EXIT_WAIT} has passed, then SIGKILLs {@code pid}.
     */
    private static void awaitGone(String id, int pid, java.util.function.BooleanSupplier alive) {
        long deadline = System.nanoTime() + SHIM_EXIT_WAIT.toNanos();
        long pause = 2;
        while (alive.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                LOG.warning("task " + id + ": shim " + pid + " still there after " + SHIM_EXIT_WAIT.toSeconds()
                        + "s; killing it");
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
                return;
            }
            try {
                Thread.sleep(pause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            pause = Math.min(pause * 2, 100);
        }
    }
}
