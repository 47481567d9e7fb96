package dev.holdfast.supervisor.shim;

import dev.holdfast.supervisor.api.Status;
import dev.holdfast.supervisor.bundle.ExitRecord;
import dev.holdfast.supervisor.bundle.TaskDirectory;
import dev.holdfast.supervisor.task.TaskId;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Boot-time scan of {@code <run>/supervisor/tasks/*}: turns each task directory back into a task.
 * <ul>
 *   <li>shim alive (pid and start time from shim.pid match /proc, and its command line is holdfast-shim for this id):
 *       ask it for its {@code state};</li>
 *   <li>shim gone, exit.json present: a stopped task with that status;</li>
 *   <li>shim gone, no exit.json: the task is lost (see {@link LostShims}): exit code 255, recorded so the next
 *       boot gives the same answer.</li>
 * </ul>
 * Running it twice over the same directories gives the same tasks.
 */
public final class ShimAdoption {
    private static final Logger LOG = Logger.getLogger(ShimAdoption.class.getName());
    private static final int STATE_ATTEMPTS = 4;

    private final Path tasksDir;
    private final Function<String, Path> socketOf;
    private final LostShims lostShims;

    public ShimAdoption(Path tasksDir, Function<String, Path> socketOf, LostShims lostShims) {
        this.tasksDir = tasksDir;
        this.socketOf = socketOf;
        this.lostShims = lostShims;
    }

    /** Every task directory that could be made sense of, in directory order. */
    public List<AdoptedTask> scan() throws IOException {
        List<AdoptedTask> found = new ArrayList<>();
        if (!Files.isDirectory(tasksDir)) {
            return found;
        }
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(tasksDir, Files::isDirectory)) {
            for (Path d : dirs) {
                String id = d.getFileName().toString();
                if (id.startsWith(TaskDirectory.REMOVING_PREFIX)) {
                    LOG.info("finishing an interrupted removal: " + d);
                    TaskDirectory.removeTree(d);
                    continue;
                }
                if (!TaskId.isValid(id)) {
                    LOG.warning("ignoring " + d + ": not a task id");
                    continue;
                }
                try {
                    found.add(adopt(new TaskDirectory(tasksDir, id)));
                } catch (IOException | RuntimeException e) {
                    LOG.log(Level.WARNING, "task " + id + ": cannot adopt: " + e.getMessage(), e);
                }
            }
        }
        return found;
    }

    /** One task directory. */
    public AdoptedTask adopt(TaskDirectory dir) throws IOException {
        String id = dir.id();
        Optional<ShimPidFile> shim = readShimPid(dir);
        if (shim.isPresent() && shim.get().isLiveShimFor(id)) {
            Optional<AdoptedTask> live = askShim(dir, shim.get());
            if (live.isPresent()) {
                return live.get();
            }
        }
        int shimPid = shim.map(ShimPidFile::pid).orElse(0);
        Optional<ExitRecord> exit = dir.readExit();
        if (exit.isPresent()) {
            LOG.info("task " + id + ": stopped while we were away, exit code " + exit.get().exitCode());
            return AdoptedTask.stopped(id, shimPid, exit.get());
        }
        if (shim.isPresent() && shim.get().isLiveShimFor(id)) {
            // Alive but not answering and not exited: keep it; the waiter retries while the shim lives.
            int pid = dir.readInitPid().orElse(0);
            LOG.warning("task " + id + ": shim " + shim.get().pid() + " is alive but does not answer; adopting as running");
            return AdoptedTask.live(id, Status.STATUS_RUNNING, pid, shim.get());
        }
        return lost(dir, shimPid);
    }

    private AdoptedTask lost(TaskDirectory dir, int shimPid) throws IOException {
        return AdoptedTask.stopped(dir.id(), shimPid, lostShims.recordLost(dir));
    }

    private Optional<AdoptedTask> askShim(TaskDirectory dir, ShimPidFile shim) {
        ShimConnection conn = new ShimConnection(socketOf.apply(dir.id()));
        IOException last = null;
        for (int attempt = 0; attempt < STATE_ATTEMPTS; attempt++) {
            try {
                ShimState state = conn.state();
                LOG.info("task " + dir.id() + ": adopted shim " + shim.pid() + ": " + state);
                return Optional.of(switch (state) {
                    case ShimState.Created c -> AdoptedTask.live(dir.id(), Status.STATUS_CREATED, c.pid(), shim);
                    case ShimState.Running r -> AdoptedTask.live(dir.id(), Status.STATUS_RUNNING, r.pid(), shim);
                    case ShimState.Stopped s -> AdoptedTask.stopped(dir.id(), shim.pid(), s.toExit());
                });
            } catch (IOException e) {
                last = e;
                if (!shim.isLiveShimFor(dir.id())) {
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
        LOG.warning("task " + dir.id() + ": shim " + shim.pid() + " did not answer state: "
                + (last == null ? "" : last.getMessage()));
        return Optional.empty();
    }

    private static Optional<ShimPidFile> readShimPid(TaskDirectory dir) throws IOException {
        Optional<String> text = dir.readShimPid();
        if (text.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(ShimPidFile.parse(text.get()));
        } catch (IllegalArgumentException e) {
            LOG.warning("task " + dir.id() + ": " + e.getMessage());
            return Optional.empty();
        }
    }
}
