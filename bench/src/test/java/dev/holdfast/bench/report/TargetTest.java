package dev.holdfast.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TargetTest {
    @Test
    void textNamesEachConditionInTheRowsUnit() {
        assertEquals("< 1000 ms and <= 0.5x", Target.abs("<", 1000).and(Target.ratio("<=", 0.5)).text("ms"));
        assertEquals(">= 2x", Target.ratio(">=", 2).text("req/s"));
        assertEquals("<= 0 req", Target.abs("<=", 0).text("req"));
        assertEquals("<= 1.25x idle", Target.own("mem.daemons.rss", "idle", "<=", 1.25).text("MiB"));
    }

    @Test
    void comparisons() {
        assertTrue(Target.Op.LE.holds(1, 1));
        assertFalse(Target.Op.LT.holds(1, 1));
        assertTrue(Target.Op.GE.holds(2, 1));
        assertFalse(Target.Op.GT.holds(1, 1));
        assertThrows(IllegalArgumentException.class, () -> Target.ratio("=", 1));
    }
}
