package dev.holdfast.chaos;

/**
 * One fault of the plan: injected once {@code afterOps} operations have completed. {@code pick} chooses among the
 * candidates (which shim); {@code millis} is how long the fault lasts (the SIGSTOP, the supervisor's absence) or, for
 * {@link FaultKind#KILL_RUNC}, how long the injector watches for a runc to kill.
 */
public record Fault(int afterOps, FaultKind kind, int pick, int millis) {

    @Override
    public String toString() {
        return kind.label() + " after op " + afterOps + " (pick " + pick + ", " + millis + " ms)";
    }
}
