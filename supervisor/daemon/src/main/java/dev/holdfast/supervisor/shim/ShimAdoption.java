package dev.holdfast.supervisor.shim;

import dev.holdfast.supervisor.api.Status;
import dev.holdfast.supervisor.bundle.ExecDirectory;
import dev.holdfast.supervisor.bundle.ExitRecord;
import dev.holdfast.supervisor.bundle.ProcessDirectory;
import dev.holdfast.supervisor.bundle.TaskDirectory;
import dev.holdfast.supervisor.runc.TaskRuntimes;
import dev.holdfast.supervisor.task.TaskId;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Boot-time scan of {@code <run>/supervisor/tasks/*} and each task's {@code execs/*}: turns each directory back into
 * a task or an exec.
 * <ul>
 *   <li>shim alive (pid and start time from shim.pid match /proc, and its command line is holdfast-shim for this id
 *       and exec id): ask it for its {@code state}; a running task that runc reports paused is paused;</li>
 *   <li>shim gone, exit.json present: stopped with that status;</li>
 *   <li>shim gone, no exit.json: lost (see {@link LostShims}): exit code 255, recorded so the next boot gives the
 *       same answer.</li>
 * </ul>
 * Running it twice over the same directories gives the same tasks.
 */
public final class ShimAdoption {
    private static final Logger LOG = Logger.getLogger(ShimAdoption.class.getName());
    private static final int STATE_ATTEMPTS = 4;

    /** Where the shim of a task ({@code execId} "") or of an exec listens. */
    public interface Sockets {
        Path of(String id, String execId);
    }

    /** What the files and the shim say about one process. */
    private record Found(Status status, int pid, ShimPidFile shim, int shimPid, ExitRecord exit) {}

    private final Path tasksDir;
    private final Sockets sockets;
    private final LostShims lostShims;
    private final TaskRuntimes runtimes;

    public ShimAdoption(Path tasksDir, Sockets sockets, LostShims lostShims, TaskRuntimes runtimes) {
        this.tasksDir = tasksDir;
        this.sockets = sockets;
        this.lostShims = lostShims;
        this.runtimes = runtimes;
    }

    /** Every task directory that could be made sense of, in directory order. */
    public List<AdoptedTask> scan() throws IOException {
        List<AdoptedTask> found = new ArrayList<>();
        for (Path d : subdirectories(tasksDir)) {
            String id = d.getFileName().toString();
            try {
                found.add(adopt(new TaskDirectory(tasksDir, id)));
            } catch (IOException | RuntimeException e) {
                LOG.log(Level.WARNING, "task " + id + ": cannot adopt: " + e.getMessage(), e);
            }
        }
        return found;
    }

    /** One task directory, with its execs. */
    public AdoptedTask adopt(TaskDirectory dir) throws IOException {
        String id = dir.id();
        Found f = examine(dir, id, "");
        AdoptedTask task;
        if (f.exit() != null) {
            task = AdoptedTask.stopped(id, f.shimPid(), f.exit());
        } else if (f.shim() != null) {
            task = AdoptedTask.live(id, f.status() == Status.STATUS_RUNNING ? runningOrPaused(id) : f.status(),
                    f.pid(), f.shim());
        } else {
            task = AdoptedTask.stopped(id, f.shimPid(), lostShims.recordLost(dir));
        }
        List<AdoptedExec> execs = new ArrayList<>();
        for (Path d : subdirectories(dir.execsDir())) {
            String execId = d.getFileName().toString();
            try {
                execs.add(adoptExec(dir.exec(execId)));
            } catch (IOException | RuntimeException e) {
                LOG.log(Level.WARNING, "task " + id + " exec " + execId + ": cannot adopt: " + e.getMessage(), e);
            }
        }
        return task.withExecs(execs);
    }

    /** One exec directory. */
    public AdoptedExec adoptExec(ExecDirectory dir) throws IOException {
        Found f = examine(dir, dir.task().id(), dir.execId());
        if (f.exit() != null) {
            return AdoptedExec.stopped(dir.execId(), f.shimPid(), f.exit());
        }
        if (f.shim() != null) {
            return AdoptedExec.live(dir.execId(), f.status(), f.pid(), f.shim());
        }
        return AdoptedExec.stopped(dir.execId(), f.shimPid(), lostShims.recordLost(dir));
    }

    /**
     * The live shim's state; else exit.json; else, if the shim lives but does not answer, running (its waiter
     * retries while the shim lives); else lost: status STOPPED with neither shim nor exit.
     */
    private Found examine(ProcessDirectory dir, String id, String execId) throws IOException {
        String who = describe(id, execId);
        Optional<ShimPidFile> shim = readShimPid(dir, who);
        boolean live = shim.isPresent() && shim.get().isLiveShimFor(id, execId);
        if (live) {
            Optional<ShimState> state = askShim(sockets.of(id, execId), shim.get(), id, execId);
            if (state.isPresent()) {
                LOG.info(who + ": adopted shim " + shim.get().pid() + ": " + state.get());
                return switch (state.get()) {
                    case ShimState.Created c -> new Found(Status.STATUS_CREATED, c.pid(), shim.get(), 0, null);
                    case ShimState.Running r -> new Found(Status.STATUS_RUNNING, r.pid(), shim.get(), 0, null);
                    case ShimState.Stopped s -> new Found(Status.STATUS_STOPPED, s.pid(), null, shim.get().pid(),
                            s.toExit());
                };
            }
        }
        int shimPid = shim.map(ShimPidFile::pid).orElse(0);
        Optional<ExitRecord> exit = dir.readExit();
        if (exit.isPresent()) {
            LOG.info(who + ": stopped while we were away, exit code " + exit.get().exitCode());
            return new Found(Status.STATUS_STOPPED, exit.get().pid(), null, shimPid, exit.get());
        }
        if (live && shim.get().isLiveShimFor(id, execId)) {
            LOG.warning(who + ": shim " + shimPid + " is alive but does not answer; adopting as running");
            return new Found(Status.STATUS_RUNNING, dir.readPid().orElse(0), shim.get(), 0, null);
        }
        return new Found(Status.STATUS_STOPPED, 0, null, shimPid, null);
    }

    /** runc knows whether a running container is frozen; a supervisor restart must not forget it. */
    private Status runningOrPaused(String id) {
        try {
            return runtimes.of(id).status(id).equals("paused") ? Status.STATUS_PAUSED : Status.STATUS_RUNNING;
        } catch (IOException e) {
            LOG.warning("task " + id + ": cannot tell whether it is paused (" + e.getMessage() + "); running");
            return Status.STATUS_RUNNING;
        }
    }

    private Optional<ShimState> askShim(Path socket, ShimPidFile shim, String id, String execId) {
        ShimConnection conn = new ShimConnection(socket);
        IOException last = null;
        for (int attempt = 0; attempt < STATE_ATTEMPTS; attempt++) {
            try {
                return Optional.of(conn.state());
            } catch (IOException e) {
                last = e;
                if (!shim.isLiveShimFor(id, execId)) {
                    break;
                }
                try {
                    Thread.sleep(100L << attempt);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        LOG.warning(describe(id, execId) + ": shim " + shim.pid() + " did not answer state: "
                + (last == null ? "" : last.getMessage()));
        return Optional.empty();
    }

    /**
     * The directories under {@code parent} named by a valid id; interrupted removals are finished, anything else is
     * left alone.
     */
    private static List<Path> subdirectories(Path parent) throws IOException {
        List<Path> found = new ArrayList<>();
        if (!Files.isDirectory(parent)) {
            return found;
        }
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(parent, Files::isDirectory)) {
            for (Path d : dirs) {
                String name = d.getFileName().toString();
                if (name.startsWith(ProcessDirectory.REMOVING_PREFIX)) {
                    LOG.info("finishing an interrupted removal: " + d);
                    ProcessDirectory.removeTree(d);
                } else if (!TaskId.isValid(name)) {
                    LOG.warning("ignoring " + d + ": not a task or exec id");
                } else {
                    found.add(d);
                }
            }
        }
        return found;
    }

    private static Optional<ShimPidFile> readShimPid(ProcessDirectory dir, String who) throws IOException {
        Optional<String> text = dir.readShimPid();
        if (text.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(ShimPidFile.parse(text.get()));
        } catch (IllegalArgumentException e) {
            LOG.warning(who + ": " + e.getMessage());
            return Optional.empty();
        }
    }

    private static String describe(String id, String execId) {
        return execId.isEmpty() ? "task " + id : "task " + id + " exec " + execId;
    }
}
