package dev.holdfast.bench.report;

import dev.holdfast.bench.stats.Percentile;
import java.util.ArrayList;
import java.util.List;

/** The samples of one metric and daemon: the values, and why it could not be measured when it could not. */
final class Cell {
    final List<Double> values = new ArrayList<>();
    final List<String> na = new ArrayList<>();

    double[] sorted() {
        return values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    }

    double median() {
        return Percentile.of(sorted(), 0.5);
    }

    boolean measured() {
        return !values.isEmpty();
    }
}
