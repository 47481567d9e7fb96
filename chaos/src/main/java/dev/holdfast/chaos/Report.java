package dev.holdfast.chaos;

import java.util.List;

/** The outcome of a run: its summary line (the last line scripts/chaos prints) and its exit status. */
public record Report(long seed, int operations, int faults, List<String> violations) {

    public Report {
        violations = List.copyOf(violations);
    }

    /** {@code N operations, K faults injected, V violations}. */
    public String summaryLine() {
        return operations + " operations, " + faults + " faults injected, " + violations.size() + " violations";
    }

    /** 0 only when nothing was violated. */
    public int exitStatus() {
        return violations.isEmpty() ? 0 : 1;
    }
}
