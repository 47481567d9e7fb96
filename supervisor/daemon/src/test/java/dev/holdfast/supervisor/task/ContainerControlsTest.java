package dev.holdfast.supervisor.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import dev.holdfast.supervisor.api.EventsRequest;
import dev.holdfast.supervisor.api.KillRequest;
import dev.holdfast.supervisor.api.ListTasksRequest;
import dev.holdfast.supervisor.api.Status;
import dev.holdfast.supervisor.api.Task;
import dev.holdfast.supervisor.api.TaskEvent;
import dev.holdfast.supervisor.api.TaskRequest;
import dev.holdfast.supervisor.api.UpdateTaskRequest;
import dev.holdfast.supervisor.testing.Await;
import dev.holdfast.supervisor.testing.SupervisorExtension;
import dev.holdfast.supervisor.testing.TaskRequests;
import dev.holdfast.supervisor.testing.TestHost;
import io.grpc.Context;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Pause/Resume, ListPids, Stats and Update against real runc. */
class ContainerControlsTest {
    private static final Duration T = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    final SupervisorExtension supervisor = new SupervisorExtension();

    private Task running(String id, String... args) {
        supervisor.sup().tasks().create(supervisor.host().createRequest(id, args));
        return supervisor.sup().tasks().start(TaskRequests.of(id));
    }

    private static void assertFails(io.grpc.Status.Code code, String id, Runnable call) {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call::run);
        assertEquals(code, e.getStatus().getCode(), e.getStatus().toString());
        assertTrue(e.getStatus().getDescription().startsWith("task " + id + ": "), e.getStatus().getDescription());
    }

    @Test
    void pauseAndResumeChangeStatusAndPublishEvents() throws Exception {
        BlockingQueue<TaskEvent> events = new LinkedBlockingQueue<>();
        Context.CancellableContext ctx = Context.current().withCancellation();
        ctx.run(() -> supervisor.sup().async.events(EventsRequest.getDefaultInstance(), new StreamObserver<>() {
            @Override
            public void onNext(TaskEvent value) {
                events.add(value);
            }

            @Override
            public void onError(Throwable t) {}

            @Override
            public void onCompleted() {}
        }));
        try {
            Await.until(T, "the events subscription",
                    () -> supervisor.sup().server.taskManager().events().subscriberCount() == 1);
            Task t = running("p", "sleep", "1000");

            Task paused = supervisor.sup().tasks().pause(TaskRequests.of("p"));
            assertEquals(Status.STATUS_PAUSED, paused.getStatus());
            assertEquals(Status.STATUS_PAUSED, supervisor.sup().tasks().state(TaskRequests.of("p")).getStatus());
            assertEquals(Status.STATUS_PAUSED,
                    supervisor.sup().tasks().list(ListTasksRequest.getDefaultInstance()).getTasks(0).getStatus());
            assertEquals("paused", runcStatus("p"));
            assertFails(io.grpc.Status.Code.FAILED_PRECONDITION, "p", () -> supervisor.sup().tasks().pause(TaskRequests.of("p")));

            Task resumed = supervisor.sup().tasks().resume(TaskRequests.of("p"));
            assertEquals(Status.STATUS_RUNNING, resumed.getStatus());
            assertEquals(t.getPid(), resumed.getPid());
            assertEquals("running", runcStatus("p"));
            assertFails(io.grpc.Status.Code.FAILED_PRECONDITION, "p", () -> supervisor.sup().tasks().resume(TaskRequests.of("p")));

            List<TaskEvent.Type> types = List.of(next(events).getType(), next(events).getType(),
                    next(events).getType(), next(events).getType());
            assertEquals(List.of(TaskEvent.Type.TYPE_CREATE, TaskEvent.Type.TYPE_START, TaskEvent.Type.TYPE_PAUSED,
                    TaskEvent.Type.TYPE_RESUMED), types);
        } finally {
            ctx.cancel(null);
        }
    }

    @Test
    void pausedTaskCanBeKilledAndForceDeleted() {
        Task t = running("pk", "sleep", "1000");
        supervisor.sup().tasks().pause(TaskRequests.of("pk"));
        supervisor.sup().tasks().delete(dev.holdfast.supervisor.api.DeleteTaskRequest.newBuilder().setId("pk").setForce(true)
                .build());
        Await.until(T, "the init to die", () -> !TestHost.alive(t.getPid()));
    }

    @Test
    void listPidsHasEveryProcessOfTheTask() {
        Task t = running("ps", "sh", "-c", "sleep 1000 & sleep 1000");
        Await.until(T, "two processes", () -> supervisor.sup().tasks().listPids(TaskRequests.of("ps")).getPidsCount() >= 2);
        List<Integer> pids = supervisor.sup().tasks().listPids(TaskRequests.of("ps")).getPidsList();
        assertTrue(pids.contains(t.getPid()), pids + " has init " + t.getPid());
    }

    @Test
    void statsReportMemoryUsage() throws Exception {
        running("st", "sleep", "1000");
        byte[] stats = supervisor.sup().tasks().stats(TaskRequests.of("st")).getStats().toByteArray();
        JsonNode json = JSON.readTree(stats);
        assertTrue(json.path("memory").path("usage").path("usage").asLong() > 0, json.toString());
        assertTrue(json.path("pids").path("current").asLong() >= 1, json.toString());
    }

    @Test
    void updateChangesTheMemoryLimit() throws Exception {
        running("up", "sleep", "1000");
        long limit = 64L * 1024 * 1024;
        Task t = supervisor.sup().tasks().update(UpdateTaskRequest.newBuilder().setId("up")
                .setResources(ByteString.copyFromUtf8("{\"memory\":{\"limit\":" + limit + "}}")).build());
        assertEquals(Status.STATUS_RUNNING, t.getStatus());
        JsonNode json = JSON.readTree(supervisor.sup().tasks().stats(TaskRequests.of("up")).getStats().toByteArray());
        assertEquals(limit, json.path("memory").path("usage").path("limit").asLong(), json.toString());

        assertFails(io.grpc.Status.Code.INVALID_ARGUMENT, "up", () -> supervisor.sup().tasks().update(UpdateTaskRequest
                .newBuilder().setId("up").setResources(ByteString.copyFromUtf8("[1]")).build()));
        // runc's refusal comes back with runc's message.
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> supervisor.sup().tasks().update(
                UpdateTaskRequest.newBuilder().setId("up")
                        .setResources(ByteString.copyFromUtf8("{\"memory\":{\"limit\":1}}")).build()));
        assertEquals(io.grpc.Status.Code.FAILED_PRECONDITION, e.getStatus().getCode());
        assertTrue(e.getStatus().getDescription().startsWith("task up: update: runc: "),
                e.getStatus().getDescription());
    }

    @Test
    void stoppedOrUnknownTasksAndExecIdsAreRefused() {
        running("x", "true");
        supervisor.sup().tasks().wait(TaskRequests.of("x"));
        for (Runnable call : List.<Runnable>of(
                () -> supervisor.sup().tasks().pause(TaskRequests.of("x")),
                () -> supervisor.sup().tasks().resume(TaskRequests.of("x")),
                () -> supervisor.sup().tasks().listPids(TaskRequests.of("x")),
                () -> supervisor.sup().tasks().stats(TaskRequests.of("x")),
                () -> supervisor.sup().tasks().update(UpdateTaskRequest.newBuilder().setId("x")
                        .setResources(ByteString.copyFromUtf8("{}")).build()))) {
            assertFails(io.grpc.Status.Code.FAILED_PRECONDITION, "x", call);
        }
        assertFails(io.grpc.Status.Code.NOT_FOUND, "ghost", () -> supervisor.sup().tasks().pause(TaskRequests.of("ghost")));
        assertFails(io.grpc.Status.Code.NOT_FOUND, "ghost", () -> supervisor.sup().tasks().stats(TaskRequests.of("ghost")));
        assertFails(io.grpc.Status.Code.INVALID_ARGUMENT, "x",
                () -> supervisor.sup().tasks().pause(TaskRequest.newBuilder().setId("x").setExecId("e").build()));
        assertFails(io.grpc.Status.Code.INVALID_ARGUMENT, "x", () -> supervisor.sup().tasks().kill(
                KillRequest.newBuilder().setId("x").setExecId("e").setSignal(9).setAll(true).build()));
    }

    private String runcStatus(String id) throws Exception {
        Process p = new ProcessBuilder(TestHost.RUNC.toString(), "--root", supervisor.host().config.runcRoot().toString(),
                "state", id).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        return JSON.readTree(out).path("status").asText();
    }

    private static TaskEvent next(BlockingQueue<TaskEvent> q) throws InterruptedException {
        TaskEvent e = q.poll(30, TimeUnit.SECONDS);
        if (e == null) {
            throw new AssertionError("no event within 30 s");
        }
        return e;
    }
}
