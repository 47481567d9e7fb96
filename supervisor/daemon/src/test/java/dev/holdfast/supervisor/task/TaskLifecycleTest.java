package dev.holdfast.supervisor.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.holdfast.supervisor.api.DeleteTaskRequest;
import dev.holdfast.supervisor.api.EventsRequest;
import dev.holdfast.supervisor.api.KillRequest;
import dev.holdfast.supervisor.api.ListTasksRequest;
import dev.holdfast.supervisor.api.Status;
import dev.holdfast.supervisor.api.Task;
import dev.holdfast.supervisor.api.TaskEvent;
import dev.holdfast.supervisor.testing.Await;
import dev.holdfast.supervisor.testing.InProcessSupervisor;
import dev.holdfast.supervisor.testing.Specs;
import dev.holdfast.supervisor.testing.SupervisorExtension;
import dev.holdfast.supervisor.testing.TaskRequests;
import dev.holdfast.supervisor.testing.TestHost;
import io.grpc.Context;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The task API against an in-process supervisor with the real shim and runc. */
class TaskLifecycleTest {
    private static final Duration T = Duration.ofSeconds(30);

    @RegisterExtension
    final SupervisorExtension supervisor = new SupervisorExtension();

    @Test
    void createStartWaitReportsExitCode() throws Exception {
        Task created = supervisor.sup().tasks().create(supervisor.host().createRequest("t1", "sh", "-c", "echo hello; exit 7"));
        assertEquals("t1", created.getId());
        assertEquals(Status.STATUS_CREATED, created.getStatus());
        assertTrue(created.getPid() > 0);
        assertTrue(created.getShimPid() > 0);
        assertTrue(Files.isRegularFile(supervisor.host().taskDir("t1").resolve("config.json")));

        Task started = supervisor.sup().tasks().start(TaskRequests.of("t1"));
        assertEquals(Status.STATUS_RUNNING, started.getStatus());
        assertEquals(created.getPid(), started.getPid());

        Task exited = supervisor.sup().tasks().wait(TaskRequests.of("t1"));
        assertEquals(Status.STATUS_STOPPED, exited.getStatus());
        assertEquals(7, exited.getExit().getExitCode());
        assertTrue(exited.getExit().getExitedAt().getSeconds() > 0);
        assertEquals(created.getPid(), exited.getPid());
        Task state = supervisor.sup().tasks().state(TaskRequests.of("t1"));
        assertEquals(exited, state);
        // Waiting on a stopped task answers at once.
        assertEquals(exited, supervisor.sup().tasks().wait(TaskRequests.of("t1")));
        Await.until(T, "the log line", () -> {
            try {
                return Files.readString(supervisor.host().logPath("t1")).contains("hello");
            } catch (Exception e) {
                return false;
            }
        });
    }

    @Test
    void killWithSigtermGives143() throws Exception {
        // Without a pid namespace: the init of a pid namespace ignores SIGTERM unless it handles it.
        byte[] spec = Specs.spec(supervisor.host().rootfs, supervisor.host().cgroupsPath("k1"), List.of("sleep", "1000"),
                List.of("ipc", "uts", "mount"));
        supervisor.sup().tasks().create(supervisor.host().createRequest("k1", spec));
        supervisor.sup().tasks().start(TaskRequests.of("k1"));
        Task killed = supervisor.sup().tasks().kill(KillRequest.newBuilder().setId("k1").setSignal(15).build());
        assertEquals("k1", killed.getId());
        Task exited = supervisor.sup().tasks().wait(TaskRequests.of("k1"));
        assertEquals(143, exited.getExit().getExitCode());
    }

    @Test
    void killAllWithSigkillInPidNamespaceGives137() {
        supervisor.sup().tasks().create(supervisor.host().createRequest("k2", "sh", "-c", "sleep 1000 & sleep 1000"));
        supervisor.sup().tasks().start(TaskRequests.of("k2"));
        supervisor.sup().tasks().kill(KillRequest.newBuilder().setId("k2").setSignal(9).setAll(true).build());
        assertEquals(137, supervisor.sup().tasks().wait(TaskRequests.of("k2")).getExit().getExitCode());
        // A stopped task cannot be signalled.
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> supervisor.sup().tasks().kill(KillRequest.newBuilder().setId("k2").setSignal(9).build()));
        assertEquals(io.grpc.Status.Code.FAILED_PRECONDITION, e.getStatus().getCode());
        assertTrue(e.getStatus().getDescription().contains("k2"), e.getStatus().getDescription());
    }

    @Test
    void listAndStateShowEveryTask() {
        Task a = supervisor.sup().tasks().create(supervisor.host().createRequest("a", "sleep", "1000"));
        supervisor.sup().tasks().create(supervisor.host().createRequest("b", "sleep", "1000"));
        supervisor.sup().tasks().start(TaskRequests.of("a"));

        List<Task> all = supervisor.sup().tasks().list(ListTasksRequest.getDefaultInstance()).getTasksList();
        assertEquals(List.of("a", "b"), all.stream().map(Task::getId).toList());
        assertEquals(Status.STATUS_RUNNING, all.get(0).getStatus());
        assertEquals(a.getPid(), all.get(0).getPid());
        assertEquals(Status.STATUS_CREATED, all.get(1).getStatus());
        assertEquals(Status.STATUS_CREATED, supervisor.sup().tasks().state(TaskRequests.of("b")).getStatus());

        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> supervisor.sup().tasks().state(TaskRequests.of("nope")));
        assertEquals(io.grpc.Status.Code.NOT_FOUND, e.getStatus().getCode());
    }

    @Test
    void eventsStreamSeesCreateStartExitDelete() throws Exception {
        BlockingQueue<Object> events = new LinkedBlockingQueue<>();
        Context.CancellableContext ctx = Context.current().withCancellation();
        ctx.run(() -> supervisor.sup().async.events(EventsRequest.getDefaultInstance(), new StreamObserver<>() {
            @Override
            public void onNext(TaskEvent value) {
                events.add(value);
            }

            @Override
            public void onError(Throwable t) {
                events.add(t);
            }

            @Override
            public void onCompleted() {
                events.add("completed");
            }
        }));
        try {
            Await.until(T, "the events subscription", () -> subscribers() == 1);
            supervisor.sup().tasks().create(supervisor.host().createRequest("ev", "sh", "-c", "exit 3"));
            supervisor.sup().tasks().start(TaskRequests.of("ev"));
            supervisor.sup().tasks().wait(TaskRequests.of("ev"));
            supervisor.sup().tasks().delete(DeleteTaskRequest.newBuilder().setId("ev").build());

            assertEquals(TaskEvent.Type.TYPE_CREATE, next(events).getType());
            assertEquals(TaskEvent.Type.TYPE_START, next(events).getType());
            TaskEvent exit = next(events);
            assertEquals(TaskEvent.Type.TYPE_EXIT, exit.getType());
            assertEquals(3, exit.getTask().getExit().getExitCode());
            assertEquals(Status.STATUS_STOPPED, exit.getTask().getStatus());
            TaskEvent delete = next(events);
            assertEquals(TaskEvent.Type.TYPE_DELETE, delete.getType());
            assertEquals("ev", delete.getTask().getId());
        } finally {
            ctx.cancel(null);
        }
    }

    private int subscribers() {
        return supervisor.sup().server.taskManager().events().subscriberCount();
    }

    private static TaskEvent next(BlockingQueue<Object> q) throws InterruptedException {
        Object o = q.poll(30, TimeUnit.SECONDS);
        if (o instanceof TaskEvent e) {
            return e;
        }
        throw new AssertionError("expected an event, got " + o);
    }

    @Test
    void deleteRemovesTaskDirectoryAndRuncState() {
        supervisor.sup().tasks().create(supervisor.host().createRequest("d1", "sh", "-c", "exit 0"));
        supervisor.sup().tasks().start(TaskRequests.of("d1"));
        supervisor.sup().tasks().wait(TaskRequests.of("d1"));
        assertTrue(Files.isDirectory(supervisor.host().runcState("d1")));

        Task deleted = supervisor.sup().tasks().delete(DeleteTaskRequest.newBuilder().setId("d1").build());
        assertEquals(Status.STATUS_STOPPED, deleted.getStatus());
        assertFalse(Files.exists(supervisor.host().taskDir("d1")));
        assertFalse(Files.exists(supervisor.host().runcState("d1")));
        assertFalse(Files.exists(supervisor.host().config.shimSocket("d1")));
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> supervisor.sup().tasks().state(TaskRequests.of("d1")));
        assertEquals(io.grpc.Status.Code.NOT_FOUND, e.getStatus().getCode());
        // The id is free again.
        assertEquals(Status.STATUS_CREATED, supervisor.sup().tasks().create(supervisor.host().createRequest("d1", "true")).getStatus());
    }

    @Test
    void deleteOfLiveTaskNeedsForce() {
        Task t = supervisor.sup().tasks().create(supervisor.host().createRequest("d2", "sleep", "1000"));
        supervisor.sup().tasks().start(TaskRequests.of("d2"));
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> supervisor.sup().tasks().delete(DeleteTaskRequest.newBuilder().setId("d2").build()));
        assertEquals(io.grpc.Status.Code.FAILED_PRECONDITION, e.getStatus().getCode());
        assertTrue(TestHost.alive(t.getPid()));

        Task deleted = supervisor.sup().tasks().delete(DeleteTaskRequest.newBuilder().setId("d2").setForce(true).build());
        assertEquals(137, deleted.getExit().getExitCode());
        assertFalse(TestHost.alive(t.getPid()));
        assertFalse(Files.exists(supervisor.host().taskDir("d2")));
        assertFalse(Files.exists(supervisor.host().runcState("d2")));
    }

    @Test
    void forceDeleteOfCreatedTask() {
        Task t = supervisor.sup().tasks().create(supervisor.host().createRequest("d3", "sleep", "1000"));
        supervisor.sup().tasks().delete(DeleteTaskRequest.newBuilder().setId("d3").setForce(true).build());
        assertFalse(TestHost.alive(t.getPid()));
        assertFalse(Files.exists(supervisor.host().runcState("d3")));
        assertTrue(supervisor.sup().tasks().list(ListTasksRequest.getDefaultInstance()).getTasksList().isEmpty());
    }

    @Test
    void duplicateIdIsAlreadyExists() {
        supervisor.sup().tasks().create(supervisor.host().createRequest("dup", "sleep", "1000"));
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> supervisor.sup().tasks().create(supervisor.host().createRequest("dup", "sleep", "1000")));
        assertEquals(io.grpc.Status.Code.ALREADY_EXISTS, e.getStatus().getCode());
        assertTrue(e.getStatus().getDescription().contains("dup"));
        assertEquals(1, supervisor.sup().tasks().list(ListTasksRequest.getDefaultInstance()).getTasksCount());
    }

    @Test
    void concurrentCreatesOfOneIdYieldOneTask() throws Exception {
        List<java.util.concurrent.Future<io.grpc.Status.Code>> results = new java.util.ArrayList<>();
        try (var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 4; i++) {
                results.add(pool.submit(() -> {
                    try {
                        supervisor.sup().tasks().create(supervisor.host().createRequest("race", "sleep", "1000"));
                        return io.grpc.Status.Code.OK;
                    } catch (StatusRuntimeException e) {
                        return e.getStatus().getCode();
                    }
                }));
            }
        }
        List<io.grpc.Status.Code> codes = new java.util.ArrayList<>();
        for (var f : results) {
            codes.add(f.get());
        }
        assertEquals(1, codes.stream().filter(c -> c == io.grpc.Status.Code.OK).count(), codes.toString());
        assertEquals(3, codes.stream().filter(c -> c == io.grpc.Status.Code.ALREADY_EXISTS).count(), codes.toString());
        assertEquals(1, supervisor.sup().tasks().list(ListTasksRequest.getDefaultInstance()).getTasksCount());
    }

    @Test
    void badIdIsInvalidArgument() {
        for (String id : List.of("", "-x", "a/b", "../x", "x".repeat(129), "a b")) {
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                    () -> supervisor.sup().tasks().create(supervisor.host().createRequest(id, "true")), id);
            assertEquals(io.grpc.Status.Code.INVALID_ARGUMENT, e.getStatus().getCode(), id);
        }
    }

    @Test
    void malformedRequestsAreInvalidArgument() {
        var noLog = supervisor.host().createRequest("x1", "true").toBuilder().clearLogPath().build();
        var relativeLog = supervisor.host().createRequest("x1", "true").toBuilder().setLogPath("x.log").build();
        var badSpec = supervisor.host().createRequest("x1", "{not json".getBytes());
        var longId = supervisor.host().createRequest("x".repeat(100), "true");
        for (var r : List.of(noLog, relativeLog, badSpec, longId)) {
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> supervisor.sup().tasks().create(r));
            assertEquals(io.grpc.Status.Code.INVALID_ARGUMENT, e.getStatus().getCode(), e.getMessage());
        }
        assertFalse(Files.exists(supervisor.host().taskDir("x1")));
        assertTrue(supervisor.sup().tasks().list(ListTasksRequest.getDefaultInstance()).getTasksList().isEmpty());
    }

    @Test
    void unknownTasksAreNotFoundEverywhere() {
        for (Runnable call : List.<Runnable>of(
                () -> supervisor.sup().tasks().start(TaskRequests.of("ghost")),
                () -> supervisor.sup().tasks().kill(KillRequest.newBuilder().setId("ghost").setSignal(9).build()),
                () -> supervisor.sup().tasks().wait(TaskRequests.of("ghost")),
                () -> supervisor.sup().tasks().state(TaskRequests.of("ghost")),
                () -> supervisor.sup().tasks().delete(DeleteTaskRequest.newBuilder().setId("ghost").setForce(true).build()))) {
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call::run);
            assertEquals(io.grpc.Status.Code.NOT_FOUND, e.getStatus().getCode());
            assertTrue(e.getStatus().getDescription().startsWith("task ghost: "), e.getStatus().getDescription());
        }
    }

    @Test
    void runcFailureCarriesRuncMessageAndLeavesNothing() throws Exception {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> supervisor.sup().tasks().create(supervisor.host().createRequest("bad", "/no/such/binary")));
        assertEquals(io.grpc.Status.Code.FAILED_PRECONDITION, e.getStatus().getCode());
        String msg = e.getStatus().getDescription();
        assertTrue(msg.startsWith("task bad: create: ") && msg.contains("runc"), msg);
        assertTrue(msg.contains("/no/such/binary"), msg);
        assertFalse(Files.exists(supervisor.host().taskDir("bad")));
        assertFalse(Files.exists(supervisor.host().runcState("bad")));
        assertTrue(supervisor.sup().tasks().list(ListTasksRequest.getDefaultInstance()).getTasksList().isEmpty());
        // No process is left in the container's cgroup.
        Path procs = Path.of("/sys/fs/cgroup/pids", supervisor.host().cgroupsPath("bad"), "cgroup.procs");
        assertTrue(!Files.exists(procs) || Files.readString(procs).isBlank());
    }

    @Test
    void socketIsPrivateAndPidFileWritten() throws Exception {
        assertEquals("rw-------",
                PosixFilePermissions.toString(Files.getPosixFilePermissions(supervisor.host().config.socket())));
        assertEquals(Long.toString(ProcessHandle.current().pid()),
                Files.readString(supervisor.host().config.pidFile()).strip());
    }

    @Test
    void secondSupervisorOnSameStateRefusesToStart() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> InProcessSupervisor.start(supervisor.host()));
        assertTrue(e.getMessage().contains("another supervisor"), e.getMessage());
        // The first one still serves.
        supervisor.sup().tasks().list(ListTasksRequest.getDefaultInstance());
    }

    @Test
    void startOfRunningTaskFails() {
        Task t = supervisor.sup().tasks().create(supervisor.host().createRequest("s1", "sleep", "1000"));
        supervisor.sup().tasks().start(TaskRequests.of("s1"));
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> supervisor.sup().tasks().start(TaskRequests.of("s1")));
        assertEquals(io.grpc.Status.Code.FAILED_PRECONDITION, e.getStatus().getCode());
        assertNotEquals(0, t.getPid());
    }
}
