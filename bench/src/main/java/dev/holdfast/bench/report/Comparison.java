package dev.holdfast.bench.report;

/** holdfast against dockerd for each row: the ratio of their medians and whether holdfast meets the row's target. */
final class Comparison {
    static final String A = "holdfast";
    static final String B = "dockerd";

    private final SampleTable samples;

    Comparison(SampleTable samples) {
        this.samples = samples;
    }

    /** holdfast's median / dockerd's; null when either is missing, dockerd's is 0 or the row is not a number. */
    Double ratio(Row row) {
        if (row.kind() != Row.Kind.NUMBER) {
            return null;
        }
        Cell a = samples.cell(row.metric(), A);
        Cell b = samples.cell(row.metric(), B);
        if (a == null || b == null || !a.measured() || !b.measured()) {
            return null;
        }
        double mb = b.median();
        return mb == 0 ? null : a.median() / mb;
    }

    /** True/false when the target can be judged, null otherwise (no target, or a figure it needs is missing). */
    Boolean met(Row row) {
        if (row.target() == null) {
            return null;
        }
        Cell a = samples.cell(row.metric(), A);
        if (a == null || !a.measured()) {
            return null;
        }
        boolean ok = true;
        for (Target.Condition c : row.target().conditions()) {
            Double x = switch (c.basis()) {
                case RATIO -> ratio(row);
                case ABSOLUTE -> a.median() * row.scale();
                case OWN -> ownRatio(a, c.baseline());
            };
            if (x == null) {
                return null;
            }
            ok &= c.op().holds(x, c.limit());
        }
        return ok;
    }

    private Double ownRatio(Cell a, String baseline) {
        Cell base = samples.cell(baseline, A);
        if (base == null || !base.measured() || base.median() == 0) {
            return null;
        }
        return a.median() / base.median();
    }
}
