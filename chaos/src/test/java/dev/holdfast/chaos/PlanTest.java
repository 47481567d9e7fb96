package dev.holdfast.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** A seed decides the whole plan, so a run replays. */
class PlanTest {
    @Test
    void theSameSeedGivesTheSamePlanAndAnotherSeedAnother() {
        assertEquals(Plan.generate(42, 200, 3), Plan.generate(42, 200, 3));
        assertNotEquals(Plan.generate(42, 200, 3).operations(), Plan.generate(43, 200, 3).operations());
    }

    @Test
    void everyOperationIsPlannedOnceForItsClientAndFaultsComeInsideTheRun() {
        Plan plan = Plan.generate(7, 200, 3);
        List<Operation> ops = plan.operations();
        assertEquals(200, ops.size());
        for (int i = 0; i < ops.size(); i++) {
            assertEquals(i, ops.get(i).index(), ops.get(i).toString());
            assertTrue(ops.get(i).client() >= 0 && ops.get(i).client() < 3, ops.get(i).toString());
        }
        assertEquals(200 / Plan.OPS_PER_FAULT, plan.faults().size());
        assertTrue(plan.faults().stream().allMatch(f -> f.afterOps() > 0 && f.afterOps() < 200), plan.faults()
                .toString());
    }

    @Test
    void aShortRunStillHasAFault() {
        assertEquals(1, Plan.generate(1, 5, 1).faults().size());
    }
}
