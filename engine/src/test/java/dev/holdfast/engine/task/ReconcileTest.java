package dev.holdfast.engine.task;

import static dev.holdfast.engine.task.EngineFixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.holdfast.engine.container.Container;
import dev.holdfast.engine.container.ContainerState;
import dev.holdfast.engine.events.Event;
import dev.holdfast.engine.time.Timestamps;
import dev.holdfast.supervisor.api.Status;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReconcileTest {
    private static final String SLEEPER = "{\"Image\":\"busybox\",\"Cmd\":[\"sleep\",\"1000\"]}";

    @TempDir
    Path root;

    private static ContainerState state(EngineFixture engine, String name) {
        return engine.service.store().get(name).record().state();
    }

    @Test
    void anEngineRestartAdoptsRunningTasksAndAppliesExitsItMissed() throws Exception {
        try (EngineFixture engine = new EngineFixture(root, true)) {
            Container running = engine.run("running", SLEEPER);
            Container seven = engine.run("seven", SLEEPER);
            Container lost = engine.run("lost", SLEEPER);
            ContainerState before = running.record().state();

            engine.monitor.close();
            // After the start, to the nanosecond.
            Instant exitedAt = Instant.now().truncatedTo(ChronoUnit.SECONDS).plusNanos(1_123_456_789);
            engine.supervisor.exit(seven.id(), 7, exitedAt);
            engine.supervisor.tasks().remove(lost.id());
            engine.supervisor.putTask("f".repeat(64), Status.STATUS_RUNNING, 4242);
            engine.restartEngine();

            assertEquals(before, state(engine, "running"));
            ContainerState sevenState = state(engine, "seven");
            assertEquals("exited", sevenState.status());
            assertEquals(7, sevenState.exitCode());
            assertEquals(Timestamps.format(exitedAt), sevenState.finishedAt());
            assertEquals(255, state(engine, "lost").exitCode());
            await("stopped task deleted", () -> !engine.supervisor.tasks().containsKey(seven.id()));
            assertFalse(engine.supervisor.tasks().containsKey("f".repeat(64)), "orphan task deleted");
            await("die events", () -> engine.actions(seven.id()).contains("die") && engine.actions(lost.id()).contains("die"));
            Event die = engine.events.stream().filter(e -> e.actorId().equals(seven.id()) && e.action().equals("die"))
                    .findFirst().orElseThrow();
            assertEquals(exitedAt, die.time(), "the die of an exit missed while down carries the exit's own time");
            assertEquals("7", die.attributes().get("exitCode"));

            // The adopted run's exit still reaches the restarted engine.
            engine.supervisor.exit(running.id(), 0);
            await("adopted exit", () -> state(engine, "running").status().equals("exited"));
        }
    }

    @Test
    void aSupervisorRestartBreaksTheStreamAndReconcileCatchesExitsInTheGap() throws Exception {
        try (EngineFixture engine = new EngineFixture(root, true)) {
            Container c = engine.run("web", SLEEPER);
            engine.supervisor.stop();
            await("monitor notices", () -> !engine.monitor.connected());
            engine.supervisor.exit(c.id(), 9);
            engine.supervisor.start();
            await("exit applied after reconnect", () -> state(engine, "web").status().equals("exited"));
            assertEquals(9, state(engine, "web").exitCode());
            await("resubscribed", () -> engine.supervisor.subscriberCount() == 1);
        }
    }

    @Test
    void restartPoliciesApplyToExitsFoundAtBoot() throws Exception {
        try (EngineFixture engine = new EngineFixture(root, true)) {
            Container c = engine.run("always", "{\"Image\":\"busybox\",\"HostConfig\":{\"RestartPolicy\":{\"Name\":\"always\"}}}");
            int pid = c.record().state().pid();
            engine.monitor.close();
            engine.supervisor.exit(c.id(), 1);
            engine.restartEngine();
            await("restarted", () -> state(engine, "always").hasProcess() && state(engine, "always").pid() != pid);
        }
    }

    /**
     * A host reboot leaves the supervisor without tasks. As after dockerd's restore: every run is over with exit code
     * 255 and no error, and the restart policies start their containers anew (restart count 0), all at once.
     */
    @Test
    void afterAHostRebootRestartPoliciesStartTheirContainersAnewAllAtOnce() throws Exception {
        try (EngineFixture engine = new EngineFixture(root, true)) {
            engine.run("none", SLEEPER);
            List<String> restarting = List.of("on-failure", "always", "unless-stopped");
            for (String policy : restarting) {
                engine.run(policy, withPolicy(policy));
            }
            Container stopped = engine.run("stopped", withPolicy("unless-stopped"));
            engine.service.stop(stopped, 5, true);
            engine.monitor.close();
            engine.supervisor.tasks().clear();
            engine.supervisor.gatherStarts(restarting.size());
            engine.restartEngine();

            for (String name : restarting) {
                await(name + " running again", () -> state(engine, name).hasProcess());
                assertEquals(0, engine.service.store().get(name).record().restartCount(), name);
            }
            assertTrue(engine.supervisor.startsGathered(), "the boot's restarts ran side by side");
            ContainerState none = state(engine, "none");
            assertEquals("exited 255 ", none.status() + " " + none.exitCode() + " " + none.error());
            assertEquals("exited 143", state(engine, "stopped").status() + " " + state(engine, "stopped").exitCode());
        }
    }

    private static String withPolicy(String policy) {
        return "{\"Image\":\"busybox\",\"Cmd\":[\"sleep\",\"1000\"],\"HostConfig\":{\"RestartPolicy\":{\"Name\":\""
                + policy + "\"}}}";
    }

    @Test
    void withoutReconcileTheEngineKillsWhatItFindsAtBoot() throws Exception {
        Path data = root;
        try (EngineFixture engine = new EngineFixture(data, false)) {
            Container c = engine.run("web", SLEEPER);
            engine.monitor.close();
            engine.restartEngine();
            ContainerState state = state(engine, "web");
            assertEquals("exited", state.status());
            assertEquals(137, state.exitCode());
            assertTrue(engine.supervisor.tasks().isEmpty());
            // A container started after boot is not a leftover of the previous engine.
            engine.service.start(engine.service.store().get("web"));
            assertEquals(Status.STATUS_RUNNING, engine.supervisor.tasks().get(c.id()).getStatus());
        }
    }
}
