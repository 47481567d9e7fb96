package dev.holdfast.bench.report;

/**
 * One row of the table: a metric, how it is labelled (an indented label is a breakdown of the row above it), its
 * unit, the scale from the samples' unit to the row's, its target (null: none) and how it is shown.
 */
record Row(String metric, String label, String unit, double scale, Target target, Kind kind) {
    /** How a row is shown and judged. */
    enum Kind {
        /** median and spread, a ratio, a target */
        NUMBER,
        /** containers that kept their pid: the worst repetition, "kept/of" */
        PIDS,
        /** runs whose output was verified: "ok/runs ok" */
        VERIFIED,
        /** a count summed over the measurement: the last value, no ratio (the windows of the daemons differ) */
        COUNT
    }

    static Row of(String metric, String label, String unit) {
        return new Row(metric, label, unit, 1, null, Kind.NUMBER);
    }

    Row target(Target t) {
        return new Row(metric, label, unit, scale, t, kind);
    }

    Row scale(double s) {
        return new Row(metric, label, unit, s, target, kind);
    }

    Row kind(Kind k) {
        return new Row(metric, label, unit, scale, target, k);
    }

    /** A breakdown of the row above it (its label is indented). */
    boolean isBreakdown() {
        return label.startsWith("  ");
    }

    /** Higher is better for rates, lower for times, memory and CPU. */
    boolean higherIsBetter() {
        return unit.endsWith("/s");
    }
}
