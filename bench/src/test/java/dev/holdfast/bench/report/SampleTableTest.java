package dev.holdfast.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;

class SampleTableTest {
    @Test
    void readsValuesReasonsAndInfoLines() {
        SampleTable t = SampleTable.parse(List.of(
                "info\tcontainers\t50",
                "info\tempty\t ",
                "",
                "run.cli\tholdfast\t3.5",
                "run.cli\tholdfast\t1.5",
                "run.cli\tdockerd\tNA\tdocker run failed",
                "run.cli\tdockerd\tNA\tdocker run failed",
                "run.cli\tdockerd\tNA",
                "broken line"));
        assertEquals("50", t.info("containers", "N"));
        assertEquals("N", t.info("empty", "N"));
        assertEquals("?", t.info("absent", "?"));
        Cell hf = t.cell("run.cli", "holdfast");
        assertEquals(List.of(3.5, 1.5), hf.values);
        assertEquals(2.5, hf.median());
        assertEquals(List.of("docker run failed", "failed"), t.cell("run.cli", "dockerd").na);
        assertNull(t.cell("run.cli", "runc"));
        assertNull(t.cell("nothing", "holdfast"));
        assertEquals("dockerd", t.daemonOf(t.cell("run.cli", "dockerd"), "run.cli"));
    }
}
