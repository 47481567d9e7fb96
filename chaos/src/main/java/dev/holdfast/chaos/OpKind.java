package dev.holdfast.chaos;

/** What one operation of the churn does; {@link Plan} picks them, {@link ClientWorker} runs them. */
public enum OpKind {
    CREATE,
    START,
    STOP,
    KILL,
    RESTART,
    PAUSE,
    UNPAUSE,
    RM_F,
    EXEC,
    EXEC_DETACHED,
    ATTACH,
    LOGS_FOLLOW,
    RENAME,
    NETWORK_CONNECT,
    NETWORK_DISCONNECT,
    VOLUME_CREATE,
    VOLUME_RM,
    RUN_RM;

    /** The lower-case, dashed name the log shows: {@code rm-f}, {@code exec-detached}. */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
}
