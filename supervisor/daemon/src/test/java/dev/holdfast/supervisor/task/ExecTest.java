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
import dev.holdfast.supervisor.api.TaskRequest;
import dev.holdfast.supervisor.api.TasksGrpc;
import dev.holdfast.supervisor.shim.ShimPidFile;
import dev.holdfast.supervisor.testing.AttachClient;
import dev.holdfast.supervisor.testing.Await;
import dev.holdfast.supervisor.testing.InProcessSupervisor;
import dev.holdfast.supervisor.testing.Specs;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Execs with the real shim (exec mode) and runc: output, stdin, exit codes, errors, deletes, the task's exit. */
class ExecTest {
    private static final Duration T = Duration.ofSeconds(30);

    private TestHost host;
    private InProcessSupervisor sup;

    @BeforeEach
    void setUp() throws Exception {
        host = TestHost.create();
        sup = InProcessSupervisor.start(host);
    }

    @AfterEach
    void tearDown() throws Exception {
        try {
            if (sup != null) {
                sup.close();
            }
        } finally {
            if (host != null) {
                host.close();
            }
        }
    }

    private static TaskRequest req(String id, String execId) {
        return TaskRequest.newBuilder().setId(id).setExecId(execId).build();
    }

    private Task runningTask(String id) {
        sup.tasks().create(host.createRequest(id, "sleep", "1000"));
        return sup.tasks().start(req(id, ""));
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
        AttachClient a = AttachClient.open(sup.async, AttachClient.openOf(id, execId).setStdin(stdin)
                .setStdinOnce(stdin).build());
        Await.until(T, "the attach to be relayed", () -> sup.server.service().attachCount() == 1);
        return a;
    }

    @Test
    void execOutputExitCodeAndEvents() throws Exception {
        BlockingQueue<TaskEvent> events = new LinkedBlockingQueue<>();
        Context.CancellableContext ctx = Context.current().withCancellation();
        ctx.run(() -> sup.async.events(EventsRequest.getDefaultInstance(), collect(events)));
        try {
            Await.until(T, "the events subscription",
                    () -> sup.server.taskManager().events().subscriberCount() == 1);
            Task task = runningTask("t");
            Task created = sup.tasks().createExec(exec("t", "e1", "sh", "-c", "echo hi; echo oops >&2; exit 5"));
            assertEquals("e1", created.getExecId());
            assertEquals(Status.STATUS_CREATED, created.getStatus());
            assertEquals(0, created.getPid());
            assertTrue(created.getShimPid() > 0 && created.getShimPid() != task.getShimPid());
            assertTrue(Files.isRegularFile(host.taskDir("t").resolve("execs/e1/process.json")));
            assertEquals(created, sup.tasks().state(req("t", "e1")));

            try (AttachClient a = attached("t", "e1", false)) {
                Task started = sup.tasks().start(req("t", "e1"));
                assertEquals(Status.STATUS_RUNNING, started.getStatus());
                assertTrue(started.getPid() > 0 && started.getPid() != task.getPid());
                assertEquals(io.grpc.Status.Code.OK, a.awaitEnd(T).getCode());
                assertEquals("hi\n", a.stdout());
                assertEquals("oops\n", a.stderr());
            }
            Task exited = sup.tasks().wait(req("t", "e1"));
            assertEquals(Status.STATUS_STOPPED, exited.getStatus());
            assertEquals(5, exited.getExit().getExitCode());
            assertEquals("e1", exited.getExecId());
            assertEquals(Status.STATUS_RUNNING, sup.tasks().state(req("t", "")).getStatus(), "the task runs on");
            // List shows tasks, not execs.
            assertEquals(1, sup.tasks().list(ListTasksRequest.getDefaultInstance()).getTasksCount());

            Task deleted = sup.tasks().delete(DeleteTaskRequest.newBuilder().setId("t").setExecId("e1").build());
            assertEquals(5, deleted.getExit().getExitCode());
            assertFalse(Files.exists(host.taskDir("t").resolve("execs/e1")));
            assertFalse(Files.exists(host.config.shimSocket("t", "e1")));
            assertFails(io.grpc.Status.Code.NOT_FOUND, "task t: exec e1: state: ",
                    () -> sup.tasks().state(req("t", "e1")));

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
        sup.tasks().createExec(exec("t", "cat", "cat").toBuilder().setStdin(true).build());
        try (AttachClient a = attached("t", "cat", true)) {
            a.stdin("before start\n"); // buffered by the shim until the process exists
            sup.tasks().start(req("t", "cat"));
            a.stdin("ping\n");
            a.awaitStdout(T, "before start\nping\n");
            a.stdinEof();
            assertEquals(io.grpc.Status.Code.OK, a.awaitEnd(T).getCode());
        }
        assertEquals(0, sup.tasks().wait(req("t", "cat")).getExit().getExitCode());
    }

    @Test
    void killAndForceDeleteOfRunningExec() {
        runningTask("t");
        sup.tasks().createExec(exec("t", "s1", "sleep", "1000"));
        sup.tasks().createExec(exec("t", "s2", "sleep", "1000"));
        assertFails(io.grpc.Status.Code.FAILED_PRECONDITION, "task t: exec s1: kill 15: ",
                () -> sup.tasks().kill(KillRequest.newBuilder().setId("t").setExecId("s1").setSignal(15).build()));
        Task s1 = sup.tasks().start(req("t", "s1"));
        sup.tasks().kill(KillRequest.newBuilder().setId("t").setExecId("s1").setSignal(15).build());
        assertEquals(143, sup.tasks().wait(req("t", "s1")).getExit().getExitCode());
        assertFalse(TestHost.alive(s1.getPid()));

        Task s2 = sup.tasks().start(req("t", "s2"));
        assertFails(io.grpc.Status.Code.FAILED_PRECONDITION, "task t: exec s2: delete: ",
                () -> sup.tasks().delete(DeleteTaskRequest.newBuilder().setId("t").setExecId("s2").build()));
        Task deleted = sup.tasks().delete(DeleteTaskRequest.newBuilder().setId("t").setExecId("s2").setForce(true)
                .build());
        assertEquals(137, deleted.getExit().getExitCode());
        assertFalse(TestHost.alive(s2.getPid()));
        assertEquals(Status.STATUS_RUNNING, sup.tasks().state(req("t", "")).getStatus());
    }

    @Test
    void failedStartReportsRuncsMessageAndExit127() {
        runningTask("t");
        sup.tasks().createExec(exec("t", "bad", "/no/such/binary"));
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> sup.tasks().start(req("t", "bad")));
        assertEquals(io.grpc.Status.Code.FAILED_PRECONDITION, e.getStatus().getCode());
        assertTrue(e.getStatus().getDescription().startsWith("task t: exec bad: start: "),
                e.getStatus().getDescription());
        assertTrue(e.getStatus().getDescription().contains("/no/such/binary"), e.getStatus().getDescription());
        Task stopped = sup.tasks().wait(req("t", "bad"));
        assertEquals(127, stopped.getExit().getExitCode());
    }

    @Test
    void createExecRefusals() {
        assertFails(io.grpc.Status.Code.NOT_FOUND, "task ghost: exec e: create: ",
                () -> sup.tasks().createExec(exec("ghost", "e", "true")));
        sup.tasks().create(host.createRequest("made", "sleep", "1000"));
        assertFails(io.grpc.Status.Code.FAILED_PRECONDITION, "task made: exec e: create: ",
                () -> sup.tasks().createExec(exec("made", "e", "true")));

        runningTask("t");
        sup.tasks().createExec(exec("t", "e", "true"));
        assertFails(io.grpc.Status.Code.ALREADY_EXISTS, "task t: exec e: create: ",
                () -> sup.tasks().createExec(exec("t", "e", "true")));
        for (String bad : List.of("", "-x", "a/b", "..", "x".repeat(129))) {
            assertFails(io.grpc.Status.Code.INVALID_ARGUMENT, "task t: exec ",
                    () -> sup.tasks().createExec(exec("t", bad, "true")));
        }
        assertFails(io.grpc.Status.Code.INVALID_ARGUMENT, "task t: exec tty: create: ",
                () -> sup.tasks().createExec(exec("t", "tty", "true").toBuilder().setTerminal(true).build()));
        assertFails(io.grpc.Status.Code.INVALID_ARGUMENT, "task t: exec json: create: ",
                () -> sup.tasks().createExec(exec("t", "json", "true").toBuilder()
                        .setProcess(ByteString.copyFromUtf8("{nope")).build()));
        assertFails(io.grpc.Status.Code.INVALID_ARGUMENT, "task t: exec e: kill --all 9: ",
                () -> sup.tasks().kill(KillRequest.newBuilder().setId("t").setExecId("e").setSignal(9).setAll(true)
                        .build()));
        assertFalse(Files.exists(host.taskDir("t").resolve("execs/tty")));

        // A Wait on an exec deleted before it ran ends.
        var wait = TasksGrpc.newFutureStub(sup.channel).wait(req("t", "e"));
        Await.until(T, "the wait to be pending", () -> sup.server.service().pendingWaitCount() == 1);
        sup.tasks().delete(DeleteTaskRequest.newBuilder().setId("t").setExecId("e").build());
        java.util.concurrent.ExecutionException waitError = assertThrows(java.util.concurrent.ExecutionException.class,
                () -> wait.get(30, TimeUnit.SECONDS));
        assertEquals(io.grpc.Status.Code.NOT_FOUND, io.grpc.Status.fromThrowable(waitError.getCause()).getCode());
    }

    @Test
    void taskExitEndsItsExecsWithAnExitStatus() {
        Task task = runningTask("t");
        sup.tasks().createExec(exec("t", "run", "sleep", "1000"));
        Task run = sup.tasks().start(req("t", "run"));
        Task idle = sup.tasks().createExec(exec("t", "idle", "true"));
        ShimPidFile idleShim = shimOf("t", "idle");

        sup.tasks().kill(KillRequest.newBuilder().setId("t").setSignal(9).build());
        assertEquals(137, sup.tasks().wait(req("t", "")).getExit().getExitCode());
        assertEquals(137, sup.tasks().wait(req("t", "run")).getExit().getExitCode());
        assertFalse(TestHost.alive(run.getPid()));
        // Never started, and now it never can: ended with 255.
        Task ended = sup.tasks().wait(req("t", "idle"));
        assertEquals(255, ended.getExit().getExitCode());
        Await.until(T, "the idle exec's shim to be gone", () -> !idleShim.isLiveShimFor("t", "idle"));
        assertTrue(idle.getShimPid() > 0 && task.getPid() > 0);
    }

    @Test
    void deletingATaskDeletesItsExecs() {
        runningTask("t");
        sup.tasks().createExec(exec("t", "run", "sleep", "1000"));
        Task run = sup.tasks().start(req("t", "run"));
        sup.tasks().createExec(exec("t", "idle", "true"));
        ShimPidFile runShim = shimOf("t", "run");
        ShimPidFile idleShim = shimOf("t", "idle");

        sup.tasks().delete(DeleteTaskRequest.newBuilder().setId("t").setForce(true).build());
        assertFalse(TestHost.alive(run.getPid()));
        assertFalse(runShim.isLiveShimFor("t", "run"));
        assertFalse(idleShim.isLiveShimFor("t", "idle"));
        assertFalse(Files.exists(host.taskDir("t")));
        assertFalse(Files.exists(host.config.shimSocket("t", "run")));
        assertFalse(Files.exists(host.config.shimSocket("t", "idle")));
        assertFails(io.grpc.Status.Code.NOT_FOUND, "task t: exec run: state: ",
                () -> sup.tasks().state(req("t", "run")));
    }

    @Test
    void execSocketPathIsShortWhateverTheIds() {
        String id = "t".repeat(60);
        String execId = "e".repeat(128);
        Path socket = host.config.shimSocket(id, execId);
        assertEquals(24 + ".sock".length(), socket.getFileName().toString().length());
        runningTask(id);
        Task e = sup.tasks().createExec(exec(id, execId, "true"));
        assertEquals(execId, e.getExecId());
        assertTrue(Files.exists(socket));
    }

    private ShimPidFile shimOf(String id, String execId) {
        try {
            return ShimPidFile.parse(Files.readString(host.taskDir(id).resolve("execs").resolve(execId)
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
