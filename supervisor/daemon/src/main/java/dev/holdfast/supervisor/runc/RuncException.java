package dev.holdfast.supervisor.runc;

import java.io.IOException;

/** runc ran and refused: it exited non-zero. The message is runc's own error text. */
public final class RuncException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String runcMessage;

    public RuncException(String command, int exitStatus, String runcMessage) {
        super(command + " failed (exit status " + exitStatus + ")" + (runcMessage.isEmpty() ? "" : ": " + runcMessage));
        this.runcMessage = runcMessage;
    }

    /** What runc said, without the command and exit status ("container not running"). */
    public String runcMessage() {
        return runcMessage;
    }
}
