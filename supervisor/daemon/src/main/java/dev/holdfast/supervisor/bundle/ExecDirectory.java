package dev.holdfast.supervisor.bundle;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalInt;

/**
 * {@code <task dir>/execs/<exec id>/}: one exec's process.json (the OCI process the supervisor was given) and its
 * shim's directory ({@code --state-dir}): shim.pid, exec.pid, runc.log, exit.json.
 */
public final class ExecDirectory extends ProcessDirectory {
    private final TaskDirectory task;
    private final String execId;

    public ExecDirectory(TaskDirectory task, String execId) {
        super(task.execsDir().resolve(execId));
        this.task = task;
        this.execId = execId;
    }

    public TaskDirectory task() {
        return task;
    }

    public String execId() {
        return execId;
    }

    public Path processJson() {
        return path().resolve("process.json");
    }

    public Path execPidFile() {
        return path().resolve("exec.pid");
    }

    /** Creates {@code execs/} if needed, then this directory. */
    public void createWithParent() throws IOException {
        if (!Files.isDirectory(task.execsDir())) {
            Files.createDirectories(task.execsDir());
            AtomicFiles.syncDirectory(task.path());
        }
        create();
    }

    /** Writes process.json atomically. */
    public void writeProcess(byte[] process) throws IOException {
        AtomicFiles.write(processJson(), process);
    }

    @Override
    public OptionalInt readPid() {
        return readPidFile(execPidFile());
    }
}
