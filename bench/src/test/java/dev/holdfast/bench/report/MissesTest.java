package dev.holdfast.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class MissesTest {
    private static String misses(SampleLines s) {
        SampleTable t = s.table();
        return new Misses(t, new Comparison(t)).text(Sections.of(t));
    }

    @Test
    void breakdownRowsWhereHoldfastIsBehindBiggestGapFirstGroupedByUnit() {
        String out = misses(new SampleLines()
                .add("restart.downtime", "holdfast", 1244).add("restart.downtime", "dockerd", 872)
                .add("restart.kill", "holdfast", 4.89).add("restart.kill", "dockerd", 0.79)
                .add("restart.ready", "holdfast", 799).add("restart.ready", "dockerd", 853)
                .add("restart.ready_cpu", "holdfast", 1320).add("restart.ready_cpu", "dockerd", 610)
                .add("restart.restore", "holdfast", 388).add("restart.restore", "dockerd", 10.1));
        // kill: 4 ms more, under 2 % of the headline figure (noise); ready: holdfast ahead
        assertEquals("""
                Where holdfast misses its targets (breakdown rows where it does worse than dockerd, biggest gap first):
                  kill -9 -> GET /containers/json lists all running: 1244 ms vs 872 ms, target < 1000 ms and <= 0.5x
                    - CPU used by the new process until /_ping: 1320 vs 610 ms (+710 ms)
                    - /_ping -> all containers listed running: 388 vs 10.1 ms (+378 ms)
                """, out);
    }

    @Test
    void ratesAreComparedAsHowManyTimesSlowerAndASmallGapIsLeftOut() {
        String out = misses(new SampleLines()
                .add("logs.16k.total", "holdfast", 30).add("logs.16k.total", "dockerd", 38.8)
                .add("logs.16k.write", "holdfast", 20).add("logs.16k.write", "dockerd", 62.9)
                .add("logs.16k.read", "holdfast", 95).add("logs.16k.read", "dockerd", 101)
                .add("logs.16k.cpu.write.shim", "holdfast", 2.1).add("logs.16k.cpu.write.shim", "dockerd", 0.45)
                .add("logs.16k.cpu.write.daemon", "holdfast", 0.2).add("logs.16k.cpu.write.daemon", "dockerd", 0.1));
        assertEquals(List.of("Where holdfast misses its targets (breakdown rows where it does worse than dockerd,"
                + " biggest gap first):",
                "  16 KiB lines: start -> docker logs returned all: 30 MB/s vs 38.8 MB/s, target >= 1x",
                "    - write: start -> container exited: 20 vs 62.9 MB/s (3.1x slower)",
                "    - read: docker logs: 95 vs 101 MB/s (1.1x slower)",
                "    - CPU s/100 MB writing: shim: 2.10 vs 0.45 s (+1.65 s)"), List.of(out.split("\n")));
    }

    @Test
    void aBusyMachineIsNamedWhenTheLoadClientCompetesWithTheEngine() {
        String out = misses(new SampleLines()
                .add("api.list.c16", "holdfast", 700).add("api.list.c16", "dockerd", 401)
                .add("api.list.c16.cpu.daemon", "holdfast", 965).add("api.list.c16.cpu.daemon", "dockerd", 4420)
                .add("api.list.c16.cpu.client", "holdfast", 1136).add("api.list.c16.cpu.client", "dockerd", 227)
                .add("api.list.c16.busy", "holdfast", 98.1).add("api.list.c16.busy", "dockerd", 97));
        String[] lines = out.split("\n");
        assertEquals("    - no breakdown row shows holdfast behind dockerd", lines[2]);
        assertEquals("    - the machine was 98 % busy while holdfast was under load: per 1000 requests the load client"
                + " used 1136 ms of CPU, the engine 965 ms; on these " + Runtime.getRuntime().availableProcessors()
                + " cores the client is the bigger part of the limit", lines[3]);
    }

    @Test
    void memoryIdleAgainstDockerdsAndAfterTheLoadAgainstItsOwnIdleFigure() {
        String out = misses(new SampleLines()
                .add("mem.daemons.rss", "holdfast", 297 * 1024).add("mem.daemons.rss", "dockerd", 138 * 1024)
                .add("mem.daemon.rss", "holdfast", 155 * 1024).add("mem.daemon.rss", "dockerd", 91.6 * 1024)
                .add("mem.helper.rss", "holdfast", 142 * 1024).add("mem.helper.rss", "dockerd", 46.8 * 1024)
                .add("mem.daemon.heap_committed", "holdfast", 48 * 1024)
                .add("mem.after.daemons.rss", "holdfast", 1052 * 1024)
                .add("mem.after.daemons.rss", "dockerd", 153 * 1024)
                .add("mem.after.daemon.rss", "holdfast", 885 * 1024).add("mem.after.daemon.rss", "dockerd", 103 * 1024)
                .add("mem.after.helper.rss", "holdfast", 167 * 1024)
                .add("mem.after.helper.rss", "dockerd", 49.9 * 1024));
        String[] lines = out.split("\n");
        assertEquals(List.of(
                "  daemons RSS: engine+supervisor | dockerd+containerd: 297 MiB vs 138 MiB, target <= 1x",
                "    - supervisor | containerd RSS: 142 vs 46.8 MiB (+95.2 MiB)",
                "    - engine | dockerd RSS: 155 vs 91.6 MiB (+63.4 MiB)",
                "  daemons RSS: engine+supervisor | dockerd+containerd: 1052 MiB vs 153 MiB, target <= 1.25x idle,"
                        + " idle 297 MiB",
                "    - engine | dockerd RSS: 885 vs 103 MiB (+782 MiB)",
                "    - supervisor | containerd RSS: 167 vs 49.9 MiB (+117 MiB)"),
                List.of(lines).subList(1, lines.length));
    }

    @Test
    void nothingWhenEveryTargetIsMetOrCannotBeJudged() {
        assertEquals("", misses(new SampleLines().add("run.cli", "holdfast", 400).add("run.cli", "dockerd", 700)
                .add("copy.in", "holdfast", 100)));
    }
}
