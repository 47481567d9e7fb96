package dev.holdfast.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The arguments scripts/chaos passes, and the summary line it ends with. */
class ChaosOptionsTest {
    @Test
    void parsesWhatTheScriptPasses() {
        ChaosOptions o = ChaosOptions.parse(List.of("--ops", "200", "--seed", "-5", "--root", "/tmp/r", "--home",
                "/h", "--docker-host", "unix:///tmp/r/run/holdfast.sock"));
        assertEquals(new ChaosOptions(200, -5, 3, Path.of("/tmp/r"), Path.of("/h"), "unix:///tmp/r/run/holdfast.sock",
                "docker"), o);
    }

    @Test
    void refusesMissingOrWrongArguments() {
        assertEquals("--ops wants a positive integer, got 0", assertThrows(IllegalArgumentException.class,
                () -> ChaosOptions.parse(List.of("--ops", "0"))).getMessage());
        assertEquals("unknown argument --nope", assertThrows(IllegalArgumentException.class,
                () -> ChaosOptions.parse(List.of("--nope", "1"))).getMessage());
        assertThrows(IllegalArgumentException.class, () -> ChaosOptions.parse(List.of("--ops", "5")));
    }

    @Test
    void theSummaryLineCountsAndTheExitStatusSaysWhetherAnythingBroke() {
        assertEquals("200 operations, 16 faults injected, 0 violations",
                new Report(1, 200, 16, List.of()).summaryLine());
        assertEquals(0, new Report(1, 200, 16, List.of()).exitStatus());
        assertEquals(1, new Report(1, 200, 16, List.of("x")).exitStatus());
    }
}
