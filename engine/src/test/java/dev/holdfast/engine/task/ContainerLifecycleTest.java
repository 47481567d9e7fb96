package dev.holdfast.engine.task;

import static dev.holdfast.engine.task.EngineFixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.holdfast.engine.api.ApiException;
import dev.holdfast.engine.container.Container;
import dev.holdfast.engine.container.ContainerService.WaitCondition;
import dev.holdfast.engine.container.ExitStatus;
import dev.holdfast.supervisor.api.Status;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContainerLifecycleTest {
    private static final String BUSYBOX = "{\"Image\":\"busybox\",\"Cmd\":[\"sleep\",\"1000\"]}";

    @TempDir
    Path root;
    EngineFixture engine;

    @BeforeEach
    void start() throws Exception {
        engine = new EngineFixture(root, true);
    }

    @AfterEach
    void stop() throws Exception {
        engine.close();
    }

    private static int exitCode(CompletableFuture<ExitStatus> exit) throws Exception {
        return exit.get(5, TimeUnit.SECONDS).exitCode();
    }

    @Test
    void aRunEndsWithItsExitCodeAndTheTaskIsDeleted() throws Exception {
        Container c = engine.create("web", BUSYBOX);
        assertEquals("created", c.record().state().status());
        // docker run registers the wait before it starts the container.
        CompletableFuture<ExitStatus> exit = engine.service.waitFor(c, WaitCondition.NEXT_EXIT);
        engine.service.start(c);
        assertEquals("running", c.record().state().status());
        int pid = c.record().state().pid();
        assertEquals(pid, engine.supervisor.tasks().get(c.id()).getPid());
        assertEquals(c.logPath().toString(), engine.supervisor.lastCreate(c.id()).getLogPath());

        engine.supervisor.execExit(c.id(), "exec1", 3);
        engine.supervisor.exit(c.id(), 42);
        assertEquals(42, exitCode(exit));
        assertEquals("exited", c.record().state().status());
        assertEquals(42, c.record().state().exitCode());
        await("task deletion", () -> !engine.supervisor.tasks().containsKey(c.id()));
        await("die event", () -> engine.actions(c.id()).contains("die"));
        assertEquals(List.of("create", "start", "die"), engine.actions(c.id()));
        assertEquals(42, exitCode(engine.service.waitFor(c, WaitCondition.NOT_RUNNING)));
    }

    @Test
    void startingARunningContainerIsNotModified() throws Exception {
        Container c = engine.run("web", BUSYBOX);
        assertEquals(304, assertThrows(ApiException.class, () -> engine.service.start(c)).status().code());
    }

    @Test
    void stopSendsTheStopSignalThenKillsAfterTheTimeout() throws Exception {
        Container c = engine.run("web", BUSYBOX);
        engine.service.stop(c, 10, true);
        assertEquals(143, c.record().state().exitCode());
        assertTrue(c.record().hasBeenManuallyStopped());
        assertEquals(304, assertThrows(ApiException.class, () -> engine.service.stop(c, 10, true)).status().code());

        engine.supervisor.ignoreSigterm(true);
        engine.service.start(c);
        engine.service.stop(c, 0, true);
        assertEquals(137, c.record().state().exitCode());
        await("stop event", () -> engine.actions(c.id()).stream().filter("stop"::equals).count() == 2);
    }

    @Test
    void killNeedsARunningContainer() throws Exception {
        Container c = engine.create("web", BUSYBOX);
        ApiException e = assertThrows(ApiException.class, () -> engine.service.kill(c, "web", 9));
        assertEquals(409, e.status().code());
        assertEquals("Cannot kill container: web: container " + c.id() + " is not running", e.getMessage());
        engine.service.start(c);
        engine.service.kill(c, "web", 9);
        assertEquals(137, c.record().state().exitCode());
    }

    @Test
    void removeRefusesARunningContainerUnlessForced() throws Exception {
        Container c = engine.run("web", BUSYBOX);
        ApiException e = assertThrows(ApiException.class, () -> engine.service.remove(c, false, false));
        assertEquals(409, e.status().code());
        assertEquals("You cannot remove a running container " + c.id() + ". Stop the container before attempting "
                + "removal or force remove", e.getMessage());
        CompletableFuture<ExitStatus> removed = engine.service.waitFor(c, WaitCondition.REMOVED);
        engine.service.remove(c, true, false);
        assertEquals(137, exitCode(removed));
        assertFalse(Files.exists(c.dir()));
        assertFalse(engine.supervisor.tasks().containsKey(c.id()));
        assertTrue(engine.service.store().find("web").isEmpty());
        engine.create("web", BUSYBOX);
        await("destroy event", () -> engine.actions(c.id()).contains("destroy"));
    }

    @Test
    void autoRemoveRemovesAfterTheExit() throws Exception {
        Container c = engine.create("tmp", "{\"Image\":\"busybox\",\"HostConfig\":{\"AutoRemove\":true}}");
        CompletableFuture<ExitStatus> removed = engine.service.waitFor(c, WaitCondition.REMOVED);
        engine.service.start(c);
        engine.supervisor.exit(c.id(), 3);
        assertEquals(3, exitCode(removed));
        assertTrue(engine.service.store().find("tmp").isEmpty());
    }

    @Test
    void onFailureRestartsUpToItsLimit() throws Exception {
        Container c = engine.run("flaky", "{\"Image\":\"busybox\",\"HostConfig\":{\"RestartPolicy\":"
                + "{\"Name\":\"on-failure\",\"MaximumRetryCount\":2}}}");
        for (int run = 1; run <= 3; run++) {
            int pid = c.record().state().pid();
            engine.supervisor.exit(c.id(), 1);
            if (run < 3) {
                await("restart " + run, () -> c.record().state().hasProcess() && c.record().state().pid() != pid);
            }
        }
        await("final exit", () -> c.record().state().status().equals("exited"));
        assertEquals(2, c.record().restartCount());
    }

    @Test
    void aManualRestartResetsTheRestartCount() throws Exception {
        Container c = engine.run("flaky", "{\"Image\":\"busybox\",\"HostConfig\":{\"RestartPolicy\":"
                + "{\"Name\":\"on-failure\",\"MaximumRetryCount\":5}}}");
        int pid = c.record().state().pid();
        engine.supervisor.exit(c.id(), 1);
        await("restart by the policy", () -> c.record().state().hasProcess() && c.record().state().pid() != pid);
        assertEquals(1, c.record().restartCount());
        engine.service.restart(c, 1);
        assertEquals("running", c.record().state().status());
        assertEquals(0, c.record().restartCount(), "dockerd resets the count at a manual start");
    }

    @Test
    void renameRefusesTheCurrentNameAndATakenOne() throws Exception {
        Container c = engine.create("first", BUSYBOX);
        Container other = engine.create("second", BUSYBOX);
        ApiException same = assertThrows(ApiException.class, () -> engine.service.rename(c, "first"));
        assertEquals(400, same.status().code());
        assertEquals("Renaming a container with the same name as its current name", same.getMessage());
        assertEquals(409, assertThrows(ApiException.class, () -> engine.service.rename(c, "second")).status().code());
        ApiException invalid = assertThrows(ApiException.class, () -> engine.service.rename(c, "a b"));
        assertEquals("Invalid container name (/a b), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed", invalid.getMessage());
        engine.service.rename(c, "third");
        assertEquals("/third", c.record().name());
        assertEquals(c.id(), engine.service.store().get("third").id());
        assertTrue(engine.service.store().find("first").isEmpty());
        engine.service.rename(other, "/first");
        assertEquals("/first", other.record().name());
    }

    @Test
    void anExplicitStopIsNotFollowedByARestart() throws Exception {
        Container c = engine.run("always", "{\"Image\":\"busybox\",\"HostConfig\":{\"RestartPolicy\":{\"Name\":\"always\"}}}");
        int pid = c.record().state().pid();
        engine.supervisor.exit(c.id(), 0);
        await("restart", () -> c.record().state().hasProcess() && c.record().state().pid() != pid);
        engine.service.stop(c, 1, true);
        assertEquals("exited", c.record().state().status());
        assertEquals(1, c.record().restartCount());
    }

    @Test
    void aCommandThatCannotRunFailsTheStartWithDockersExitCode() throws Exception {
        Container c = engine.create("bad", BUSYBOX);
        engine.supervisor.failCreate(c.id(), "runc create failed: unable to start container process: exec: "
                + "\"nope\": executable file not found in $PATH");
        ApiException e = assertThrows(ApiException.class, () -> engine.service.start(c));
        assertEquals(400, e.status().code());
        assertTrue(e.getMessage().contains("executable file not found"), e.getMessage());
        assertTrue(e.getMessage().contains(c.id()), e.getMessage());
        assertEquals(127, c.record().state().exitCode());
        assertEquals("created", c.record().state().status());
        assertFalse(engine.supervisor.tasks().containsKey(c.id()));
    }

    @Test
    void namesAreUniqueAndLookupsFollowDockersOrder() throws Exception {
        Container c = engine.create("web", BUSYBOX);
        assertEquals(409, assertThrows(ApiException.class, () -> engine.create("web", BUSYBOX)).status().code());
        assertEquals(c, engine.service.store().get("web"));
        assertEquals(c, engine.service.store().get("/web"));
        assertEquals(c, engine.service.store().get(c.id().substring(0, 5)));
        ApiException e = assertThrows(ApiException.class, () -> engine.service.store().get("nosuch"));
        assertEquals("No such container: nosuch", e.getMessage());
        Container generated = engine.create(null, BUSYBOX);
        assertTrue(generated.record().name().matches("/[a-z]+_[a-z]+"), generated.record().name());
        ApiException image = assertThrows(ApiException.class, () -> engine.create("x", "{\"Image\":\"nosuch\"}"));
        assertEquals(404, image.status().code());
        assertTrue(engine.service.store().find("x").isEmpty());
    }

    @Test
    void callsNeedingTheSupervisorNameItsSocketWhileItIsDown() throws Exception {
        Container c = engine.create("web", BUSYBOX);
        engine.supervisor.stop();
        ApiException e = assertThrows(ApiException.class, () -> engine.service.start(c));
        assertEquals(500, e.status().code());
        assertTrue(e.getMessage().contains("supervisor is not reachable at " + root.resolve("s.sock")), e.getMessage());
        assertTrue(e.getMessage().contains(c.id()), e.getMessage());
        engine.supervisor.start();
        // At once: a call that finds no connection waits a moment for the supervisor to be back.
        engine.service.start(c);
        assertEquals(Status.STATUS_RUNNING, engine.supervisor.tasks().get(c.id()).getStatus());
    }
}
