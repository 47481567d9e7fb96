package dev.holdfast.supervisor.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.holdfast.supervisor.api.CreateExecRequest;
import dev.holdfast.supervisor.api.DeleteTaskRequest;
import dev.holdfast.supervisor.api.EventsRequest;
import dev.holdfast.supervisor.api.KillRequest;
import dev.holdfast.supervisor.api.ListTasksRequest;
import dev.holdfast.supervisor.api.Status;
import dev.holdfast.supervisor.api.Task;
import dev.holdfast.supervisor.api.TaskEvent;
import dev.holdfast.supervisor.api.TasksGrpc;
import dev.holdfast.supervisor.shim.ShimPidFile;
import dev.holdfast.supervisor.testing.AttachClient;
import dev.holdfast.supervisor.testing.Await;
import dev.holdfast.supervisor.testing.Specs;
import dev.holdfast.supervisor.testing.SupervisorExtension;
import dev.holdfast.supervisor.testing.TaskRequests;
import dev.holdfast.supervisor.testing.TestHost;
import io.grpc.Context;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Execs with the real shim (exec mode) and runc: output, stdin, exit codes, errors, deletes, the task's exit. */
class ExecTest {
    private static final Duration T = Duration.ofSeconds(30);

    @RegisterExtension
    final SupervisorExtension supervisor = new SupervisorExtension();

    private Task runningTask(String id) {
        supervisor.sup().tasks().create(supervisor.host().createRequest(id, "sleep", "1000"));
        return supervisor.sup().tasks().start(TaskRequests.of(id, ""));
    }

    private static CreateExecRequest exec(String id, String execId, String... args) {
        return CreateExecRequest.newBuilder().setId(id).setExecId(execId)
                .setProcess(ByteString.copyFrom(Specs.process(List.of(args), false))).build();
    }

    private static void assertFails(io.grpc.Status.Code code, String prefix, Runnable call) {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call::run);
        assertEquals(code, e.getStatus().getCode(), e.getStatus().toString());
        assertTrue(e.getStatus().getDescription().startsWith(prefix), e.getStatus().getDescription());
    }

    private AttachClient attached(String id, String execId, boolean stdin) {
        AttachClient a = AttachClient.open(supervisor.sup().async, AttachClient.openOf(id, execId).setStdin(stdin)
                .setStdinOnce(stdin).build());
        Await.until(T, "the attach to be relayed", () -> supervisor.sup().server.service().attachCount() == 1);
        return a;
    }

    @Test
    void execOutputExitCodeAndEvents() throws Exception {
        BlockingQueue<TaskEvent> events = new LinkedBlockingQueue<>();
        Context.CancellableContext ctx = Context.current().withCancellation();
        ctx.run(() -> supervisor.sup().async.events(EventsRequest.getDefaultInstance(), collect(events)));
        try {
            Await.until(T, "the events subscription",
                    () -> supervisor.sup().server.taskManager().events().subscriberCount() == 1);
            Task task = runningTask("t");
            Task created = supervisor.sup().tasks().createExec(exec("t", "e1", "sh", "-c", "echo hi; echo oops >&2; exit 5"));
            assertEquals("e1", created.getExecId());
            assertEquals(Status.STATUS_CREATED, created.getStatus());
            assertEquals(0, created.getPid());
            assertTrue(created.getShimPid() > 0 && created.getShimPid() != task.getShimPid());
            assertTrue(Files.isRegularFile(supervisor.host().taskDir("t").resolve("execs/e1/process.json")));
            assertEquals(created, supervisor.sup().tasks().state(TaskRequests.of("t", "e1")));

            try (AttachClient a = attached("t", "e1", false)) {
                Task started = supervisor.sup().tasks().start(TaskRequests.of("t", "e1"));
                assertEquals(Status.STATUS_RUNNING, started.getStatus());
                assertTrue(started.getPid() > 0 && started.getPid() != task.getPid());
                assertEquals(io.grpc.Status.Code.OK, a.awaitEnd(T).getCode());
                assertEquals("hi\n", a.stdout());
                assertEquals("oops\n", a.stderr());
            }
            Task exited = supervisor.sup().tasks().wait(TaskRequests.of("t", "e1"));
            assertEquals(Status.STATUS_STOPPED, exited.getStatus());
            assertEquals(5, exited.getExit().getExitCode());
            assertEquals("e1", exited.getExecId());
            assertEquals(Status.STATUS_RUNNING, supervisor.sup().tasks().state(TaskRequests.of("t", "")).getStatus(), "the task runs on");
            // List shows tasks, not execs.
            assertEquals(1, supervisor.sup().tasks().list(ListTasksRequest.getDefaultInstance()).getTasksCount());

            Task deleted = supervisor.sup().tasks().delete(DeleteTaskRequest.newBuilder().setId("t").setExecId("e1").build());
            assertEquals(5, deleted.getExit().getExitCode());
            assertFalse(Files.exists(supervisor.host().taskDir("t").resolve("execs/e1")));
            assertFalse(Files.exists(supervisor.host().config.shimSocket("t", "e1")));
            assertFails(io.grpc.Status.Code.NOT_FOUND, "task t: exec e1: state: ",
                    () -> supervisor.sup().tasks().state(TaskRequests.of("t", "e1")));

            List<TaskEvent> seen = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                seen.add(next(events));
            }
            assertEquals(List.of(TaskEvent.Type.TYPE_CREATE, TaskEvent.Type.TYPE_START,
                    TaskEvent.Type.TYPE_EXEC_ADDED, TaskEvent.Type.TYPE_EXEC_STARTED, TaskEvent.Type.TYPE_EXIT,
                    TaskEvent.Type.TYPE_DELETE), seen.stream().map(TaskEvent::getType).toList());
            for (TaskEvent e : seen.subList(2, 6)) {
                assertEquals("e1", e.getTask().getExecId(), e.toString());
            }
            assertEquals(5, seen.get(4).getTask().getExit().getExitCode());
        } finally {
            ctx.cancel(null);
        }
    }

    @Test
    void execStdinViaAttachEndsWithStdinEof() throws Exception {
        runningTask("t");
        supervisor.sup().tasks().createExec(exec("t", "cat", "cat").toBuilder().setStdin(true).build());
        try (AttachClient a = attached("t", "cat", true)) {
            a.stdin("before start\n"); // buffered by the shim until the process exists
            supervisor.sup().tasks().start(TaskRequests.of("t", "cat"));
            a.stdin("ping\n");
            a.awaitStdout(T, "before start\nping\n");
            a.stdinEof();
            assertEquals(io.grpc.Status.Code.OK, a.awaitEnd(T).getCode());
        }
        assertEquals(0, supervisor.sup().tasks().wait(TaskRequests.of("t", "cat")).getExit().getExitCode());
    }

    @Test
    void killAndForceDeleteOfRunningExec() {
        runningTask("t");
        supervisor.sup().tasks().createExec(exec("t", "s1", "sleep", "1000"));
        supervisor.sup().tasks().createExec(exec("t", "s2", "sleep", "1000"));
        assertFails(io.grpc.Status.Code.FAILED_PRECONDITION, "task t: exec s1: kill 15: ",
                () -> supervisor.sup().tasks().kill(KillRequest.newBuilder().setId("t").setExecId("s1").setSignal(15).build()));
        Task s1 = supervisor.sup().tasks().start(TaskRequests.of("t", "s1"));
        supervisor.sup().tasks().kill(KillRequest.newBuilder().setId("t").setExecId("s1").setSignal(15).build());
        assertEquals(143, supervisor.sup().tasks().wait(TaskRequests.of("t", "s1")).getExit().getExitCode());
        assertFalse(TestHost.alive(s1.getPid()));

        Task s2 = supervisor.sup().tasks().start(TaskRequests.of("t", "s2"));
        assertFails(io.grpc.Status.Code.FAILED_PRECONDITION, "task t: exec s2: delete: ",
                () -> supervisor.sup().tasks().delete(DeleteTaskRequest.newBuilder().setId("t").setExecId("s2").build()));
        Task deleted = supervisor.sup().tasks().delete(DeleteTaskRequest.newBuilder().setId("t").setExecId("s2").setForce(true)
                .build());
        assertEquals(137, deleted.getExit().getExitCode());
        assertFalse(TestHost.alive(s2.getPid()));
        assertEquals(Status.STATUS_RUNNING, supervisor.sup().tasks().state(TaskRequests.of("t", "")).getStatus());
    }

    @Test
    void failedStartReportsRuncsMessageAndExit126() {
        runningTask("t");
        supervisor.sup().tasks().createExec(exec("t", "bad", "/no/such/binary"));
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> supervisor.sup().tasks().start(TaskRequests.of("t", "bad")));
        assertEquals(io.grpc.Status.Code.FAILED_PRECONDITION, e.getStatus().getCode());
        assertTrue(e.getStatus().getDescription().startsWith("task t: exec bad: start: "),
                e.getStatus().getDescription());
        assertTrue(e.getStatus().getDescription().contains("/no/such/binary"), e.getStatus().getDescription());
        Task stopped = supervisor.sup().tasks().wait(TaskRequests.of("t", "bad"));
        assertEquals(126, stopped.getExit().getExitCode(), "dockerd's code for an exec that could not start");
    }

    @Test
    void createExecRefusals() {
        assertFails(io.grpc.Status.Code.NOT_FOUND, "task ghost: exec e: create: ",
                () -> supervisor.sup().tasks().createExec(exec("ghost", "e", "true")));
        supervisor.sup().tasks().create(supervisor.host().createRequest("made", "sleep", "1000"));
        assertFails(io.grpc.Status.Code.FAILED_PRECONDITION, "task made: exec e: create: ",
                () -> supervisor.sup().tasks().createExec(exec("made", "e", "true")));

        runningTask("t");
        supervisor.sup().tasks().createExec(exec("t", "e", "true"));
        assertFails(io.grpc.Status.Code.ALREADY_EXISTS, "task t: exec e: create: ",
                () -> supervisor.sup().tasks().createExec(exec("t", "e", "true")));
        for (String bad : List.of("", "-x", "a/b", "..", "x".repeat(129))) {
            assertFails(io.grpc.Status.Code.INVALID_ARGUMENT, "task t: exec ",
                    () -> supervisor.sup().tasks().createExec(exec("t", bad, "true")));
        }
        assertFails(io.grpc.Status.Code.INVALID_ARGUMENT, "task t: exec tty: create: ",
                () -> supervisor.sup().tasks().createExec(exec("t", "tty", "true").toBuilder().setTerminal(true).build()));
        assertFails(io.grpc.Status.Code.INVALID_ARGUMENT, "task t: exec json: create: ",
                () -> supervisor.sup().tasks().createExec(exec("t", "json", "true").toBuilder()
                        .setProcess(ByteString.copyFromUtf8("{nope")).build()));
        assertFails(io.grpc.Status.Code.INVALID_ARGUMENT, "task t: exec e: kill --all 9: ",
                () -> supervisor.sup().tasks().kill(KillRequest.newBuilder().setId("t").setExecId("e").setSignal(9).setAll(true)
                        .build()));
        assertFalse(Files.exists(supervisor.host().taskDir("t").resolve("execs/tty")));

        // A Wait on an exec deleted before it ran ends.
        var wait = TasksGrpc.newFutureStub(supervisor.sup().channel).wait(TaskRequests.of("t", "e"));
        Await.until(T, "the wait to be pending", () -> supervisor.sup().server.service().pendingWaitCount() == 1);
        supervisor.sup().tasks().delete(DeleteTaskRequest.newBuilder().setId("t").setExecId("e").build());
        java.util.concurrent.ExecutionException waitError = assertThrows(java.util.concurrent.ExecutionException.class,
                () -> wait.get(30, TimeUnit.SECONDS));
        assertEquals(io.grpc.Status.Code.NOT_FOUND, io.grpc.Status.fromThrowable(waitError.getCause()).getCode());
    }

    @Test
    void taskExitEndsItsExecsWithAnExitStatus() {
        Task task = runningTask("t");
        supervisor.sup().tasks().createExec(exec("t", "run", "sleep", "1000"));
        Task run = supervisor.sup().tasks().start(TaskRequests.of("t", "run"));
        Task idle = supervisor.sup().tasks().createExec(exec("t", "idle", "true"));
        ShimPidFile idleShim = shimOf("t", "idle");

        supervisor.sup().tasks().kill(KillRequest.newBuilder().setId("t").setSignal(9).build());
        assertEquals(137, supervisor.sup().tasks().wait(TaskRequests.of("t", "")).getExit().getExitCode());
        assertEquals(137, supervisor.sup().tasks().wait(TaskRequests.of("t", "run")).getExit().getExitCode());
        assertFalse(TestHost.alive(run.getPid()));
        // Never started, and now it never can: ended with 255.
        Task ended = supervisor.sup().tasks().wait(TaskRequests.of("t", "idle"));
        assertEquals(255, ended.getExit().getExitCode());
        Await.until(T, "the idle exec's shim to be gone", () -> !idleShim.isLiveShimFor("t", "idle"));
        assertTrue(idle.getShimPid() > 0 && task.getPid() > 0);
    }

    @Test
    void deletingATaskDeletesItsExecs() {
        runningTask("t");
        supervisor.sup().tasks().createExec(exec("t", "run", "sleep", "1000"));
        Task run = supervisor.sup().tasks().start(TaskRequests.of("t", "run"));
        supervisor.sup().tasks().createExec(exec("t", "idle", "true"));
        ShimPidFile runShim = shimOf("t", "run");
        ShimPidFile idleShim = shimOf("t", "idle");

        supervisor.sup().tasks().delete(DeleteTaskRequest.newBuilder().setId("t").setForce(true).build());
        assertFalse(TestHost.alive(run.getPid()));
        assertFalse(runShim.isLiveShimFor("t", "run"));
        assertFalse(idleShim.isLiveShimFor("t", "idle"));
        assertFalse(Files.exists(supervisor.host().taskDir("t")));
        assertFalse(Files.exists(supervisor.host().config.shimSocket("t", "run")));
        assertFalse(Files.exists(supervisor.host().config.shimSocket("t", "idle")));
        assertFails(io.grpc.Status.Code.NOT_FOUND, "task t: exec run: state: ",
                () -> supervisor.sup().tasks().state(TaskRequests.of("t", "run")));
    }

    @Test
    void execSocketPathIsShortWhateverTheIds() {
        String id = "t".repeat(60);
        String execId = "e".repeat(128);
        Path socket = supervisor.host().config.shimSocket(id, execId);
        assertEquals(24 + ".sock".length(), socket.getFileName().toString().length());
        runningTask(id);
        Task e = supervisor.sup().tasks().createExec(exec(id, execId, "true"));
        assertEquals(execId, e.getExecId());
        assertTrue(Files.exists(socket));
    }

    private ShimPidFile shimOf(String id, String execId) {
        try {
            return ShimPidFile.parse(Files.readString(supervisor.host().taskDir(id).resolve("execs").resolve(execId)
                    .resolve("shim.pid")));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static StreamObserver<TaskEvent> collect(BlockingQueue<TaskEvent> q) {
        return new StreamObserver<>() {
            @Override
            public void onNext(TaskEvent value) {
                q.add(value);
            }

            @Override
            public void onError(Throwable t) {}

            @Override
            public void onCompleted() {}
        };
    }

    private static TaskEvent next(BlockingQueue<TaskEvent> q) throws InterruptedException {
        TaskEvent e = q.poll(30, TimeUnit.SECONDS);
        if (e == null) {
            throw new AssertionError("no event within 30 s");
        }
        return e;
    }
}
