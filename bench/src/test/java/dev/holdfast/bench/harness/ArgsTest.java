package dev.holdfast.bench.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ArgsTest {
    @Test
    void repeatedKeysAccumulateAndTheLastWins() {
        Args a = new Args(new String[] {"--daemon", "holdfast=unix:///r/h.sock", "--daemon", "dockerd=/d/docker.sock",
            "--reps", "3", "--reps", "5", "--log", "dockerd=/d/log"});
        assertEquals(5, a.getInt("reps", 1));
        assertEquals(2.5, a.getDouble("settle", 2.5));
        assertEquals(List.of(new Target("holdfast", Path.of("/r/h.sock")), new Target("dockerd",
                Path.of("/d/docker.sock"))), a.targets());
        assertEquals(Map.of("dockerd", "/d/log"), a.byName("log"));
        assertEquals("/d/log", a.requireFor("log", "dockerd"));
        assertEquals("unix:///d/docker.sock", a.targets().get(1).dockerHost());
    }

    @Test
    void badCommandLinesAreUsageErrors() {
        assertThrows(UsageException.class, () -> new Args(new String[] {"--samples"}));
        assertThrows(UsageException.class, () -> new Args(new String[] {"samples", "x"}));
        Args a = new Args(new String[] {"--reps", "many", "--daemon", "nosocket", "--log", "x"});
        assertEquals("missing --samples", assertThrows(UsageException.class, () -> a.require("samples")).getMessage());
        assertThrows(UsageException.class, () -> a.getInt("reps", 1));
        assertThrows(UsageException.class, a::targets);
        assertThrows(UsageException.class, () -> a.byName("log"));
        assertThrows(UsageException.class, () -> new Args(new String[0]).targets());
        assertThrows(UsageException.class, () -> new Args(new String[0]).requireFor("log", "dockerd"));
    }

    @Test
    void daemonProcessesByRole() {
        Args a = new Args(new String[] {"--procs", "holdfast=daemon:10,helper:11", "--procs", "dockerd=daemon:20"});
        assertEquals(Map.of("holdfast", Map.of("daemon", 10L, "helper", 11L), "dockerd", Map.of("daemon", 20L)),
                DaemonProcesses.of(a));
        assertThrows(UsageException.class, () -> DaemonProcesses.of(new Args(new String[] {"--procs", "x=daemon:y"})));
    }
}
