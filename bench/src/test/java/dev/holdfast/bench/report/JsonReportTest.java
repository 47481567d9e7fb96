package dev.holdfast.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.holdfast.bench.json.Json;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonReportTest {
    @Test
    void infoFiguresAndEverySample() {
        SampleTable t = new SampleLines().info("holdfast", "git \"abc\"")
                .add("run.cli", "holdfast", 400, 500).add("run.cli", "dockerd", 900)
                .na("run.cli", "dockerd", "one run failed")
                .add("run.api.create", "holdfast", 20)
                .add("unknown.metric", "holdfast", 1)
                .table();
        Object j = Json.parse(new JsonReport(t).render(Sections.of(t)));
        assertEquals("git \"abc\"", Json.at(j, "info", "holdfast"));
        List<?> figures = (List<?>) Json.at(j, "figures");
        assertEquals(2, figures.size(), "only the table's rows with samples");
        Map<?, ?> cli = (Map<?, ?>) figures.get(0);
        assertEquals("run.cli", cli.get("metric"));
        assertEquals("docker run --rm busybox true (CLI)", cli.get("label"));
        assertEquals(0.5, cli.get("ratio"));
        assertEquals("<= 0.7x", cli.get("target"));
        assertEquals(Boolean.TRUE, cli.get("target_met"));
        Map<?, ?> create = (Map<?, ?>) figures.get(1);
        assertEquals("create", create.get("label"));
        assertNull(create.get("ratio"));
        assertNull(create.get("target"));
        assertEquals(2.0, Json.at(j, "samples", "run.cli", "holdfast", "n"));
        assertEquals(450.0, Json.at(j, "samples", "run.cli", "holdfast", "median"));
        assertEquals(List.of(400.0, 500.0), Json.at(j, "samples", "run.cli", "holdfast", "values"));
        assertEquals(List.of("one run failed"), Json.at(j, "samples", "run.cli", "dockerd", "na"));
        assertEquals(1.0, Json.at(j, "samples", "unknown.metric", "holdfast", "n"));
    }
}
