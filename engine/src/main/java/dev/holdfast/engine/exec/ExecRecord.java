package dev.holdfast.engine.exec;

import java.security.SecureRandom;
import java.util.HexFormat;
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
    private static final SecureRandom RANDOM = new SecureRandom();

    /** 64 random hex digits, as dockerd's exec ids. */
    public static String newId() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    public ExecRecord startedWith(int newPid) {
        return new ExecRecord(id, containerId, cmd, env, workingDir, user, tty, attachStdin, attachStdout,
                attachStderr, detachKeys, privileged, true, true, null, newPid);
    }

    public ExecRecord exited(int code) {
        return new ExecRecord(id, containerId, cmd, env, workingDir, user, tty, attachStdin, attachStdout,
                attachStderr, detachKeys, privileged, true, false, code, pid);
    }
}
