package dev.holdfast.engine.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.holdfast.engine.api.Json;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ContainerStateTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void describesLikeDockerPs() {
        ContainerState created = ContainerState.created();
        assertEquals("Created", created.describe(T0));
        ContainerState running = created.runningAs(42, T0);
        assertEquals("Up 3 seconds", running.describe(T0.plusSeconds(3)));
        ContainerState exited = running.exitedWith(7, false, T0.plusSeconds(10), "");
        assertEquals("Exited (7) 2 minutes ago", exited.describe(T0.plusSeconds(130)));
        ContainerState restarting = running.restartingAfter(1, T0.plusSeconds(10));
        assertEquals("Restarting (1) 5 seconds ago", restarting.describe(T0.plusSeconds(15)));
    }

    @Test
    void restartingCountsAsRunningWithoutAProcess() {
        ContainerState restarting = ContainerState.created().runningAs(42, T0).restartingAfter(1, T0);
        assertTrue(restarting.running());
        assertFalse(restarting.hasProcess());
        assertEquals(0, restarting.pid());
        assertEquals("restarting", restarting.status());
    }

    @Test
    void anOomKillLastsUntilTheNextRun() {
        ContainerState killed = ContainerState.created().runningAs(42, T0).exitedWith(137, true, T0, "");
        assertTrue(killed.oomKilled());
        assertTrue(killed.restartingAfter(137, T0).oomKilled(), "a restart policy's wait keeps it, as in dockerd");
        assertFalse(killed.runningAs(43, T0.plusSeconds(1)).oomKilled());
    }

    @Test
    void aFailedFirstStartStaysCreated() {
        ContainerState failed = ContainerState.created().failedToStart(127, "exec: \"nope\": executable file not found");
        assertEquals("created", failed.status());
        assertEquals(127, failed.exitCode());
        assertEquals("Created", failed.describe(T0));
    }

    @Test
    void serializesWithDockersFieldNames() throws Exception {
        String json = Json.MAPPER.writeValueAsString(ContainerState.created().runningAs(42, T0));
        assertEquals("{\"Status\":\"running\",\"Running\":true,\"Paused\":false,\"Restarting\":false,"
                + "\"OOMKilled\":false,\"Dead\":false,\"Pid\":42,\"ExitCode\":0,\"Error\":\"\","
                + "\"StartedAt\":\"2026-01-01T00:00:00Z\",\"FinishedAt\":\"0001-01-01T00:00:00Z\"}", json);
        assertEquals(ContainerState.created().runningAs(42, T0), Json.MAPPER.readValue(json, ContainerState.class));
    }
}
