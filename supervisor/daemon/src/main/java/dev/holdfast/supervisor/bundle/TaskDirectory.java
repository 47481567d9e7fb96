package dev.holdfast.supervisor.bundle;

import java.io.IOException;
import java.nio.file.Path;
import java.util.OptionalInt;

/**
 * {@code <run>/supervisor/tasks/<id>/}: the task directory, which is also the OCI bundle and the init shim's
 * directory. Knows the names of the files in it (see docs/internals.md, "Supervisor state layout").
 */
public final class TaskDirectory extends ProcessDirectory {
    private final String id;

    public TaskDirectory(Path tasksDir, String id) {
        super(tasksDir.resolve(id));
        this.id = id;
    }

    public String id() {
        return id;
    }

    public Path configJson() {
        return path().resolve("config.json");
    }

    public Path initPidFile() {
        return path().resolve("init.pid");
    }

    /** {@code execs/}: one {@link ExecDirectory} per exec. */
    public Path execsDir() {
        return path().resolve("execs");
    }

    public ExecDirectory exec(String execId) {
        return new ExecDirectory(this, execId);
    }

    /** Writes config.json atomically. */
    public void writeSpec(byte[] spec) throws IOException {
        AtomicFiles.write(configJson(), spec);
    }

    /** The container init pid runc wrote with --pid-file, if present and well formed. */
    public OptionalInt readInitPid() {
        return readPidFile(initPidFile());
    }

    @Override
    public OptionalInt readPid() {
        return readInitPid();
    }
}
