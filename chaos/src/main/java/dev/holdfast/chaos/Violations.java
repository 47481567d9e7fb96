package dev.holdfast.chaos;

import java.util.ArrayList;
import java.util.List;

/** What the run found wrong, in the order found; each one is logged as {@code violation: ...} when recorded. */
final class Violations {

    private final RunLog log;
    private final List<String> found = new ArrayList<>();

    Violations(RunLog log) {
        this.log = log;
    }

    synchronized void add(String what) {
        found.add(what);
        log.line("violation: " + what);
    }

    synchronized List<String> all() {
        return List.copyOf(found);
    }
}
