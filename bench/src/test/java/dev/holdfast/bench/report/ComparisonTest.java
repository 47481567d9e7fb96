package dev.holdfast.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ComparisonTest {
    private static final Row DOWNTIME = Row.of("restart.downtime", "kill -9", "ms")
            .target(Target.abs("<", 1000).and(Target.ratio("<=", 0.5)));

    @Test
    void ratioOfTheMediansWhenBothAreThere() {
        Comparison c = new Comparison(new SampleLines()
                .add("restart.downtime", "holdfast", 300, 400, 500)
                .add("restart.downtime", "dockerd", 800)
                .add("zero", "holdfast", 1).add("zero", "dockerd", 0)
                .add("count", "holdfast", 1).add("count", "dockerd", 2)
                .na("alone", "dockerd", "failed").add("alone", "holdfast", 1)
                .table());
        assertEquals(0.5, c.ratio(DOWNTIME));
        assertNull(c.ratio(Row.of("zero", "", "ms")));
        assertNull(c.ratio(Row.of("count", "", "req").kind(Row.Kind.COUNT)));
        assertNull(c.ratio(Row.of("alone", "", "ms")));
        assertNull(c.ratio(Row.of("absent", "", "ms")));
    }

    @Test
    void everyConditionMustHold() {
        SampleLines s = new SampleLines().add("restart.downtime", "dockerd", 800);
        assertTrue(new Comparison(s.add("restart.downtime", "holdfast", 400).table()).met(DOWNTIME));
        assertFalse(new Comparison(new SampleLines().add("restart.downtime", "dockerd", 2400)
                .add("restart.downtime", "holdfast", 1100).table()).met(DOWNTIME), "0.46x but not < 1000 ms");
        assertFalse(new Comparison(new SampleLines().add("restart.downtime", "dockerd", 800)
                .add("restart.downtime", "holdfast", 600).table()).met(DOWNTIME), "< 1000 ms but 0.75x");
    }

    @Test
    void notJudgedWithoutHoldfastsFigureOrWhatTheTargetComparesItWith() {
        Comparison c = new Comparison(new SampleLines().add("restart.downtime", "holdfast", 400)
                .na("restart.downtime", "dockerd", "no fleet").table());
        assertNull(c.met(DOWNTIME), "no dockerd figure: the ratio condition cannot be judged");
        assertNull(c.met(Row.of("restart.downtime", "", "ms")), "no target");
        assertNull(new Comparison(new SampleLines().add("restart.downtime", "dockerd", 400).table()).met(DOWNTIME));
    }

    @Test
    void absoluteLimitsApplyInTheRowsScale() {
        Row rss = Row.of("mem.daemons.rss", "", "MiB").scale(1.0 / 1024).target(Target.abs("<=", 100));
        assertTrue(new Comparison(new SampleLines().add("mem.daemons.rss", "holdfast", 100 * 1024).table()).met(rss));
        assertFalse(new Comparison(new SampleLines().add("mem.daemons.rss", "holdfast", 101 * 1024).table())
                .met(rss));
    }

    @Test
    void ownTargetsCompareWithHoldfastsOtherFigure() {
        Row after = Row.of("mem.after.daemons.rss", "", "MiB").scale(1.0 / 1024)
                .target(Target.own("mem.daemons.rss", "idle", "<=", 1.25));
        assertTrue(new Comparison(new SampleLines().add("mem.daemons.rss", "holdfast", 200_000)
                .add("mem.after.daemons.rss", "holdfast", 250_000).table()).met(after));
        assertFalse(new Comparison(new SampleLines().add("mem.daemons.rss", "holdfast", 200_000)
                .add("mem.after.daemons.rss", "holdfast", 250_001).table()).met(after));
        assertNull(new Comparison(new SampleLines().add("mem.after.daemons.rss", "holdfast", 250_000).table())
                .met(after), "no idle figure");
    }
}
