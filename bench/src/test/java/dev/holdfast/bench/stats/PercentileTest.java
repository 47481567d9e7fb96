package dev.holdfast.bench.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PercentileTest {
    @Test
    void interpolatesBetweenTheClosestRanks() {
        double[] v = {10, 20, 30, 40};
        assertEquals(10, Percentile.of(v, 0));
        assertEquals(25, Percentile.of(v, 0.5));
        assertEquals(40, Percentile.of(v, 1));
        assertEquals(13, Percentile.of(v, 0.1), 1e-9);
        assertEquals(7, Percentile.of(new double[] {7}, 0.9));
    }

    @Test
    void noValuesHaveNoPercentile() {
        assertTrue(Double.isNaN(Percentile.of(new double[0], 0.5)));
    }
}
