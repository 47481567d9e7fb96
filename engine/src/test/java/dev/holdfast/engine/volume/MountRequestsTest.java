package dev.holdfast.engine.volume;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.holdfast.engine.errdefs.DomainException;
import dev.holdfast.engine.errdefs.ErrorKind;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code --mount type=tmpfs}: its options arrive untyped (a map), so their integers are checked here. */
class MountRequestsTest {

    @Test
    void tmpfsSizeAndModeBecomeMountOptions() {
        MountRequests.Mount m = MountRequests.parse(tmpfs(Map.of("SizeBytes", 65536, "Mode", 01777)));
        assertEquals("size=65536,mode=1777", m.tmpfsOptions());
        assertEquals("size=5000000000", MountRequests.parse(tmpfs(Map.of("SizeBytes", 5_000_000_000L))).tmpfsOptions());
    }

    @Test
    void aTmpfsOptionThatIsNoIntegerIsRefusedByName() {
        DomainException size = assertThrows(DomainException.class,
                () -> MountRequests.parse(tmpfs(Map.of("SizeBytes", 1.5e6))));
        assertEquals(ErrorKind.INVALID_PARAMETER, size.kind());
        assertEquals("invalid mount config: TmpfsOptions.SizeBytes must be an integer, not 1500000.0",
                size.getMessage());
        DomainException mode = assertThrows(DomainException.class,
                () -> MountRequests.parse(tmpfs(Map.of("Mode", "1777"))));
        assertEquals("invalid mount config: TmpfsOptions.Mode must be an integer, not 1777", mode.getMessage());
    }

    private static Map<String, Object> tmpfs(Map<String, Object> options) {
        return Map.of("Type", "tmpfs", "Target", "/scratch", "TmpfsOptions", options);
    }
}
