package dev.holdfast.engine.exec;

import java.util.List;

/** One docker exec as the engine keeps it (in memory and as {@code execs/<id>.json} in the container's dir). */
public record ExecRecord(
        String id,
        String containerId,
        List<String> cmd,
        List<String> env,
        String workingDir,
        String user,
        boolean tty,
        boolean attachStdin,
        boolean attachStdout,
        boolean attachStderr,
        String detachKeys,
        boolean privileged,
        boolean started,
        boolean running,
        Integer exitCode,
        int pid) {

    public ExecRecord startedWith(int newPid) {
        return new ExecRecord(id, containerId, cmd, env, workingDir, user, tty, attachStdin, attachStdout,
                attachStderr, detachKeys, privileged, true, true, null, newPid);
    }

    public ExecRecord exited(int code) {
        return new ExecRecord(id, containerId, cmd, env, workingDir, user, tty, attachStdin, attachStdout,
                attachStderr, detachKeys, privileged, true, false, code, pid);
    }
}
