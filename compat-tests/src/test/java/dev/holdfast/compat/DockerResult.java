package dev.holdfast.compat;

import java.util.List;

/** What a {@code docker} (or {@code scripts/holdfast}) command did: its exit code and everything it printed. */
public record DockerResult(int exitCode, String stdout, String stderr, List<String> command) {

    public DockerResult {
        command = List.copyOf(command);
    }

    public DockerResult(int exitCode, String stdout, String stderr) {
        this(exitCode, stdout, stderr, List.of());
    }

    public boolean ok() {
        return exitCode == 0;
    }

    /** stdout without the trailing newline(s): {@code docker run busybox echo hello} gives {@code "hello"}. */
    public String out() {
        return stdout.stripTrailing();
    }

    /** Returns this result when the exit code is 0, otherwise fails with the command and its output. */
    public DockerResult assertOk() {
        if (!ok()) {
            throw new AssertionError("command failed: " + this);
        }
        return this;
    }

    /** Returns this result when the exit code is {@code expected}, otherwise fails with the command and its output. */
    public DockerResult assertExit(int expected) {
        if (exitCode != expected) {
            throw new AssertionError("expected exit code " + expected + ": " + this);
        }
        return this;
    }

    @Override
    public String toString() {
        return (command.isEmpty() ? "command" : String.join(" ", command)) + " -> exit " + exitCode
                + "\n--- stdout ---\n" + stdout
                + (stdout.isEmpty() || stdout.endsWith("\n") ? "" : "\n")
                + "--- stderr ---\n" + stderr;
    }
}
