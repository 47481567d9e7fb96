package dev.holdfast.engine.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.holdfast.engine.api.Json;
import dev.holdfast.engine.container.HostConfig;
import dev.holdfast.engine.errdefs.DomainException;
import java.util.List;
import org.junit.jupiter.api.Test;

class PathMasksTest {

    @Test
    void unsetListsBecomeDockersDefaultsAtCreate() {
        HostConfig host = PathMasks.withDefaults(HostConfig.empty());
        assertEquals(PathMasks.DEFAULT_MASKED, host.maskedPaths());
        assertEquals(PathMasks.DEFAULT_READONLY, host.readonlyPaths());
        assertEquals(PathMasks.DEFAULT_MASKED, PathMasks.masked(host));
    }

    @Test
    void listsTheClientSetReplaceTheDefaults() {
        HostConfig host = PathMasks.withDefaults(hostConfig(
                "{\"MaskedPaths\": [\"/proc/version\"], \"ReadonlyPaths\": []}"));
        assertEquals(List.of("/proc/version"), PathMasks.masked(host));
        assertEquals(List.of(), PathMasks.readonly(host));
    }

    @Test
    void privilegedContainersHaveNone() {
        HostConfig host = PathMasks.withDefaults(hostConfig("{\"Privileged\": true}"));
        assertNull(host.maskedPaths());
        assertEquals(List.of(), PathMasks.masked(host));
        assertEquals(List.of(), PathMasks.readonly(hostConfig("{\"Privileged\": true, \"ReadonlyPaths\": [\"/tmp\"]}")));
    }

    @Test
    void relativePathsAreRefused() {
        DomainException e = assertThrows(DomainException.class,
                () -> PathMasks.withDefaults(hostConfig("{\"ReadonlyPaths\": [\"tmp\"]}")));
        assertEquals("invalid HostConfig.ReadonlyPaths entry \"tmp\": the path must be absolute", e.getMessage());
    }

    private static HostConfig hostConfig(String json) {
        try {
            return Json.MAPPER.readValue(json, HostConfig.class);
        } catch (Exception e) {
            throw new AssertionError(json, e);
        }
    }
}
