package dev.holdfast.bench.stats;

/** Percentiles by linear interpolation between the closest ranks, as every figure of the bench uses them. */
public final class Percentile {
    private Percentile() {}

    /** The p-th percentile (0 to 1) of values sorted ascending; NaN when there are none. */
    public static double of(double[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        double pos = p * (sorted.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = (int) Math.ceil(pos);
        return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
    }
}
