package dev.holdfast.engine.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.holdfast.engine.api.ApiException;
import dev.holdfast.engine.container.HostConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ResourcesTest {
    private static HostConfig limits(Long memory, Long swap, Long nanoCpus, Long shares, Long pids) {
        return new HostConfig(null, null, null, null, null, null, null, null, false, null, null, false, null, null, null, null, null, null, false,
                memory, swap, nanoCpus, shares, null, null, pids, null);
    }

    @Test
    void dockerRunLimitsBecomeLinuxResources() {
        Map<String, Object> r = Resources.of(limits(64L << 20, null, 500_000_000L, 512L, 50L));
        assertEquals(Map.of("limit", 64L << 20, "swap", 128L << 20), r.get("memory"));
        assertEquals(Map.of("shares", 512L, "period", 100_000L, "quota", 50_000L), r.get("cpu"));
        assertEquals(Map.of("limit", 50L), r.get("pids"));
    }

    @Test
    void noLimitsNoResources() {
        assertTrue(Resources.of(limits(null, null, null, null, null)).isEmpty());
        assertEquals(Map.of("limit", -1L), Resources.of(limits(null, null, null, null, -1L)).get("pids"));
    }

    @Test
    void dockerdsRefusals() {
        ApiException tiny = assertThrows(ApiException.class, () -> Resources.validate(limits(1024L, null, null, null, null)));
        assertEquals("Minimum memory limit allowed is 6MB", tiny.getMessage());
        assertThrows(ApiException.class, () -> Resources.validate(limits(64L << 20, 32L << 20, null, null, null)));
    }
}
