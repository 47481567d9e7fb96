package dev.holdfast.engine.check;

/** One broken invariant: what is wrong, and where to look (a container, a path, a pid, a rule). */
public record Violation(String problem, String lookAt) {
    @Override
    public String toString() {
        return "violation: " + problem + " (look at " + lookAt + ")";
    }
}
