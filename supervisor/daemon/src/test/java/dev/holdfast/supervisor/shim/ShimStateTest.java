package dev.holdfast.supervisor.shim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class ShimStateTest {
    @Test
    void parsesTheThreeForms() {
        assertEquals(new ShimState.Created(10), ShimState.parse("created 10"));
        assertEquals(new ShimState.Running(11), ShimState.parse("running 11"));
        ShimState.Stopped s = (ShimState.Stopped) ShimState.parse("stopped 12 143 2026-11-22T03:58:37.123456789Z");
        assertEquals(12, s.pid());
        assertEquals(143, s.exitCode());
        assertEquals(Instant.parse("2026-11-22T03:58:37.123456789Z"), s.exitedAt());
        assertEquals(143, s.toExit().exitCode());
    }

    @Test
    void rejectsOtherLines() {
        for (String bad : new String[] {"", "created", "running x", "stopped 1 2", "stopped 1 2 yesterday",
                "paused 3", "ok"}) {
            assertThrows(IllegalArgumentException.class, () -> ShimState.parse(bad), bad);
        }
    }
}
