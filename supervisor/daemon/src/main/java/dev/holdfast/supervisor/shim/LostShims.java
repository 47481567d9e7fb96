package dev.holdfast.supervisor.shim;

import dev.holdfast.supervisor.bundle.ExecDirectory;
import dev.holdfast.supervisor.bundle.ExitRecord;
import dev.holdfast.supervisor.bundle.TaskDirectory;
import dev.holdfast.supervisor.runc.TaskRuntimes;
import java.io.IOException;
import java.time.Clock;
import java.util.logging.Logger;

/**
 * A shim that died without writing exit.json: nobody can report its process's status any more. For a task the
 * container is torn down ({@code runc delete --force}); for a task or an exec, exit code 255 at the current time is
 * recorded in exit.json, so every later look at the directory gives the same answer.
 */
public final class LostShims {
    private static final Logger LOG = Logger.getLogger(LostShims.class.getName());
    public static final int LOST_EXIT_CODE = 255;

    private final TaskRuntimes runtimes;
    private final Clock clock;

    public LostShims(TaskRuntimes runtimes, Clock clock) {
        this.runtimes = runtimes;
        this.clock = clock;
    }

    public ExitRecord recordLost(TaskDirectory dir) throws IOException {
        try {
            runtimes.of(dir.id()).deleteForce(dir.id());
        } catch (IOException e) {
            LOG.warning("task " + dir.id() + ": " + e.getMessage());
        }
        ExitRecord exit = new ExitRecord(dir.readInitPid().orElse(0), LOST_EXIT_CODE, clock.instant());
        dir.writeExit(exit);
        LOG.warning("task " + dir.id() + ": shim is gone and left no exit status; recorded exit code "
                + LOST_EXIT_CODE);
        return exit;
    }

    /**
     * An exec whose shim is gone (or was killed before its process ever ran). Its process, if any, is left to the
     * container: it ends at the latest when the task is deleted.
     */
    public ExitRecord recordLost(ExecDirectory dir) throws IOException {
        ExitRecord exit = new ExitRecord(dir.readPid().orElse(0), LOST_EXIT_CODE, clock.instant());
        dir.writeExit(exit);
        LOG.warning("task " + dir.task().id() + " exec " + dir.execId()
                + ": shim is gone and left no exit status; recorded exit code " + LOST_EXIT_CODE);
        return exit;
    }
}
