package dev.holdfast.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class TableTest {
    @Test
    void headerNamesBothBuildsTheMachineAndTheSettings() {
        String out = new SampleLines().info("holdfast", "git abc1234").info("dockerd", "20.10.24")
                .info("containerd", "1.6.20").info("machine", "2 x EPYC").info("load_start", "1.0 1.0 1.0")
                .info("load_end", "2.0 2.0 2.0").info("date", "2026-12-02T09:45Z").info("took", "7m51s")
                .info("settings", "--only run").render();
        assertTrue(out.startsWith("holdfast git abc1234  vs  dockerd 20.10.24 (containerd 1.6.20, --live-restore)\n"));
        assertTrue(out.contains("machine: 2 x EPYC, load average 1.0 1.0 1.0 at the start, 2.0 2.0 2.0 at the end\n"));
        assertTrue(out.contains("run: 2026-12-02T09:45Z, took 7m51s, --only run\n"));
        assertEquals(List.of("figure", "unit", "holdfast", "dockerd", "ratio", "target"),
                SampleLines.row(out, "figure"));
    }

    @Test
    void medianSpreadRatioAndTarget() {
        String out = new SampleLines()
                .add("run.cli", "holdfast", 470, 480, 474, 457, 537, 460, 470, 490, 500, 475, 471, 473)
                .add("run.cli", "dockerd", 712, 687, 768)
                .render();
        // 12 samples: p10-p90; 3: min-max
        assertEquals(List.of("docker run --rm busybox true (CLI)", "ms", "474 (461-499)", "712 (687-768)", "0.67",
                "<= 0.7x", "met"), SampleLines.row(out, "docker run --rm busybox true (CLI)"));
        assertTrue(out.contains("Run latency (busybox true; ? runs each, after 2 warm-up runs)\n"));
        assertFalse(out.contains("create"), "rows nobody measured are left out");
        assertFalse(out.contains("Restart downtime"), "so are sections without rows");
        assertFalse(out.contains("Where holdfast misses"));
    }

    @Test
    void aMissedTargetIsMarkedAndExplained() {
        String out = new SampleLines().add("run.cli", "holdfast", 600).add("run.cli", "dockerd", 700)
                .add("run.api.start", "holdfast", 300).add("run.api.start", "dockerd", 200).render();
        assertEquals(List.of("<= 0.7x", "MISSED"), SampleLines.row(out, "docker run --rm").subList(5, 7));
        assertTrue(out.contains("Where holdfast misses its targets"));
    }

    @Test
    void reasonsBecomeNumberedFootnotesSharedByEqualReasons() {
        String out = new SampleLines()
                .na("run.cli", "holdfast", "cannot run a container yet")
                .add("run.cli", "dockerd", 700)
                .na("run.api.total", "holdfast", "cannot run a container yet")
                .add("run.api.total", "dockerd", 650)
                .add("run.api.create", "holdfast", 20, 21)
                .na("run.api.create", "holdfast", "one repetition failed")
                .render();
        assertEquals(List.of("docker run --rm busybox true (CLI)", "ms", "n/a [1]", "700", "<= 0.7x"),
                SampleLines.row(out, "docker run --rm"));
        assertEquals("n/a [1]", SampleLines.row(out, "API: create").get(2));
        assertEquals("20.5 (20-21) [2]", SampleLines.row(out, "create").get(2));
        assertTrue(out.endsWith("\n[1] cannot run a container yet\n[2] one repetition failed\n"));
    }

    @Test
    void floorsShowUnderTheDaemonsThatHaveThem() {
        String out = new SampleLines().add("run.floor", "runc", 79.1, 80.1)
                .add("restart.jvm_floor", "jvm", 123)
                .add("restart.downtime", "holdfast", 900).add("restart.downtime", "dockerd", 1000)
                .render();
        assertEquals(List.of("runc run of the same rootfs, no daemon (floor)", "ms", "79.6 (79.1-80.1)",
                "79.6 (79.1-80.1)"), SampleLines.row(out, "runc run"));
        assertEquals(List.of("bare JVM start: java -version (floor)", "ms", "123"), SampleLines.row(out, "bare JVM"));
    }

    @Test
    void pidsCountsAndVerifiedRuns() {
        String out = new SampleLines()
                .add("restart.pids_kept", "holdfast", 50, 49, 50).add("restart.containers", "holdfast", 50)
                .add("restart.pids_kept", "dockerd", 50)
                .add("served.failed", "holdfast", 0).add("served.failed", "dockerd", 59)
                .add("logs.short.verified", "holdfast", 1, 1, 0).add("logs.short.verified", "dockerd", 1)
                .render();
        assertEquals(List.of("containers that kept their pid", "49/50 (worst of 3)", "50/?"),
                SampleLines.row(out, "containers that kept"));
        assertEquals(List.of("requests served through kill -9 + restart: failed", "req", "0", "59", "<= 0 req", "met"),
                SampleLines.row(out, "requests served through"));
        assertEquals(List.of("byte count and order verified", "2/3 ok", "1/1 ok"),
                SampleLines.row(out, "byte count"));
    }

    @Test
    void memoryInMebibytesFromTheSamplesKibibytes() {
        String out = new SampleLines().add("mem.daemon.rss", "holdfast", 155 * 1024)
                .add("mem.daemon.rss", "dockerd", 91.6 * 1024).render();
        assertEquals(List.of("engine | dockerd RSS", "MiB", "155", "91.6", "1.69"),
                SampleLines.row(out, "engine | dockerd RSS"));
    }

    @Test
    void memoryTargets() {
        String out = new SampleLines()
                .add("mem.daemons.rss", "holdfast", 130 * 1024).add("mem.daemons.rss", "dockerd", 134 * 1024)
                .add("mem.after.daemons.rss", "holdfast", 170 * 1024)
                .add("mem.after.daemons.rss", "dockerd", 153 * 1024)
                .render();
        // the label is one character too long for its column: the unit follows it after one space
        assertTrue(out.contains("dockerd+containerd MiB    130                      134                      0.97"
                + "     <= 1x  met\n"), out);
        // 170 > 1.25 x 130
        assertTrue(out.contains("dockerd+containerd MiB    170                      153                      1.11"
                + "     <= 1.25x idle  MISSED\n"), out);
    }
}
