package dev.holdfast.chaos;

/** What the {@link FaultInjector} does to the instance at one moment of the run. */
public enum FaultKind {
    /** SIGKILL of the engine; its holder starts the next one by itself. */
    KILL_ENGINE,
    /** SIGKILL of the supervisor; started again with {@code holdfast supervisor start} after a pause. */
    KILL_SUPERVISOR,
    /** SIGKILL of one of the instance's shims (container or exec). */
    KILL_SHIM,
    /** SIGKILL of a runc of the instance caught while it runs. */
    KILL_RUNC,
    /** SIGSTOP of the engine for a few seconds, then SIGCONT. */
    STOP_ENGINE,
    /** SIGSTOP of the supervisor for a few seconds, then SIGCONT. */
    STOP_SUPERVISOR;

    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
}
