package dev.holdfast.engine.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.holdfast.supervisor.api.TaskRuntime;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class OciRuntimesTest {
    private final OciRuntimes runtimes = new OciRuntimes(Map.of("alt", "/opt/alt/runtime", "bare", "sh"));

    @Test
    void runcIsAlwaysThereAndListedWithTheOthers() {
        assertEquals(Set.of("runc", "alt", "bare"), runtimes.names());
        assertEquals("{alt={path=/opt/alt/runtime}, bare={path=sh}, runc={path=runc}}", runtimes.info().toString());
        assertEquals(Set.of("runc"), OciRuntimes.runcOnly().names());
    }

    @Test
    void theSupervisorIsToldNothingForRuncAndAnAbsolutePathOtherwise() {
        assertEquals(TaskRuntime.getDefaultInstance(), runtimes.request("runc"));
        assertEquals(TaskRuntime.getDefaultInstance(), runtimes.request(null), "a record from before runtimes");
        assertEquals(TaskRuntime.newBuilder().setName("alt").setPath("/opt/alt/runtime").build(),
                runtimes.request("alt"));
        String bare = runtimes.request("bare").getPath();
        assertTrue(bare.startsWith("/") && bare.endsWith("/sh"), "a name without a slash is looked up in PATH: " + bare);
    }
}
