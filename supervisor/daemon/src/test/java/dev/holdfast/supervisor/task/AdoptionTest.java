package dev.holdfast.supervisor.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.holdfast.supervisor.api.CreateExecRequest;
import dev.holdfast.supervisor.api.DeleteTaskRequest;
import dev.holdfast.supervisor.api.KillRequest;
import dev.holdfast.supervisor.api.ListTasksRequest;
import dev.holdfast.supervisor.api.Status;
import dev.holdfast.supervisor.api.Task;
import dev.holdfast.supervisor.api.EventsRequest;
import dev.holdfast.supervisor.api.TaskEvent;
import dev.holdfast.supervisor.api.TaskRequest;
import dev.holdfast.supervisor.api.TasksGrpc;
import dev.holdfast.supervisor.bundle.ExitRecord;
import dev.holdfast.supervisor.proc.ProcFs;
import dev.holdfast.supervisor.shim.ShimPidFile;
import dev.holdfast.supervisor.testing.AttachClient;
import dev.holdfast.supervisor.testing.Await;
import dev.holdfast.supervisor.testing.InProcessSupervisor;
import dev.holdfast.supervisor.testing.Specs;
import dev.holdfast.supervisor.testing.TestHost;
import io.grpc.stub.StreamObserver;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A new supervisor adopts what the previous one left: live shims, exits that happened meanwhile, lost shims. */
class AdoptionTest {
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

    private static TaskRequest req(String id) {
        return TaskRequest.newBuilder().setId(id).build();
    }

    private Map<String, Task> list() {
        return sup.tasks().list(ListTasksRequest.getDefaultInstance()).getTasksList().stream()
                .collect(Collectors.toMap(Task::getId, Function.identity()));
    }

    private void restart() throws Exception {
        sup.close();
        sup = null;
        sup = InProcessSupervisor.start(host);
    }

    /** A container that exits with 42 once the file /go-ID exists in the rootfs. */
    private String[] exitOnSignalFile(String id) {
        return new String[] {"sh", "-c", "while [ ! -e /go-" + id + " ]; do usleep 10000; done; exit 42"};
    }

    @Test
    void restartKeepsRunningAndCreatedTasksAndSeesExitsThatHappenedMeanwhile() throws Exception {
        Task running = sup.tasks().create(host.createRequest("run", "sleep", "1000"));
        sup.tasks().start(req("run"));
        Task created = sup.tasks().create(host.createRequest("made", "sh", "-c", "exit 5"));
        Task exiting = sup.tasks().create(host.createRequest("gone", exitOnSignalFile("gone")));
        sup.tasks().start(req("gone"));

        sup.close();
        sup = null;
        assertTrue(TestHost.alive(running.getPid()), "containers outlive the supervisor");
        Files.createFile(host.rootfs.resolve("go-gone"));
        Await.until(T, "exit.json of gone", () -> Files.exists(host.taskDir("gone").resolve("exit.json")));
        Await.until(T, "init of gone to die", () -> !TestHost.alive(exiting.getPid()));

        sup = InProcessSupervisor.start(host);
        Map<String, Task> tasks = list();
        assertEquals(Status.STATUS_RUNNING, tasks.get("run").getStatus());
        assertEquals(running.getPid(), tasks.get("run").getPid());
        assertEquals(running.getShimPid(), tasks.get("run").getShimPid());
        assertEquals(Status.STATUS_CREATED, tasks.get("made").getStatus());
        assertEquals(created.getPid(), tasks.get("made").getPid());
        assertEquals(Status.STATUS_STOPPED, tasks.get("gone").getStatus());
        assertEquals(42, tasks.get("gone").getExit().getExitCode());

        // The adopted tasks work as before.
        sup.tasks().kill(KillRequest.newBuilder().setId("run").setSignal(9).build());
        assertEquals(137, sup.tasks().wait(req("run")).getExit().getExitCode());
        sup.tasks().start(req("made"));
        assertEquals(5, sup.tasks().wait(req("made")).getExit().getExitCode());
        sup.tasks().delete(DeleteTaskRequest.newBuilder().setId("gone").build());
        assertFalse(Files.exists(host.taskDir("gone")));
    }

    @Test
    void lostShimIsReportedStoppedWith255AndStaysSoAcrossBoots() throws Exception {
        Task t = sup.tasks().create(host.createRequest("lost", "sleep", "1000"));
        sup.tasks().start(req("lost"));
        sup.close();
        sup = null;
        ShimPidFile shim = host.liveShim("lost").orElseThrow();
        ProcessHandle.of(shim.pid()).orElseThrow().destroyForcibly();
        Await.until(T, "the shim to die", () -> !shim.isLiveShimFor("lost"));
        assertTrue(TestHost.alive(t.getPid()), "the container survives its shim");

        Instant before = Instant.now();
        sup = InProcessSupervisor.start(host);
        Task lost = sup.tasks().state(req("lost"));
        assertEquals(Status.STATUS_STOPPED, lost.getStatus());
        assertEquals(255, lost.getExit().getExitCode());
        assertTrue(lost.getExit().getExitedAt().getSeconds() >= before.getEpochSecond());
        Await.until(T, "runc delete --force to kill the orphan", () -> !TestHost.alive(t.getPid()));
        assertTrue(Files.exists(host.taskDir("lost").resolve("exit.json")));

        // Booting again changes nothing.
        restart();
        assertEquals(lost, sup.tasks().state(req("lost")));
        restart();
        assertEquals(lost, sup.tasks().state(req("lost")));
        assertEquals(lost, sup.tasks().wait(req("lost")));
    }

    @Test
    void shimKilledWhileSupervisorRunsIsLost() throws Exception {
        Task t = sup.tasks().create(host.createRequest("crash", "sleep", "1000"));
        sup.tasks().start(req("crash"));
        ShimPidFile shim = host.liveShim("crash").orElseThrow();
        ProcessHandle.of(shim.pid()).orElseThrow().destroyForcibly();
        Task stopped = sup.tasks().wait(req("crash"));
        assertEquals(255, stopped.getExit().getExitCode());
        Await.until(T, "the orphaned container to be killed", () -> !TestHost.alive(t.getPid()));
    }

    @Test
    void reusedPidIsNeverAdopted() throws Exception {
        sup.tasks().create(host.createRequest("reuse", "sh", "-c", "exit 9"));
        sup.tasks().start(req("reuse"));
        sup.tasks().wait(req("reuse"));
        sup.close();
        sup = null;
        // shim.pid now names a live process that is not a shim (this JVM, with its true start time).
        long me = ProcessHandle.current().pid();
        Files.writeString(host.taskDir("reuse").resolve("shim.pid"),
                me + " " + ProcFs.startTime(me).orElseThrow() + "\n");
        // ... and a live shim-looking start time mismatch is covered by ShimPidFileTest.
        sup = InProcessSupervisor.start(host);
        Task t = sup.tasks().state(req("reuse"));
        assertEquals(Status.STATUS_STOPPED, t.getStatus());
        assertEquals(9, t.getExit().getExitCode());
        ExitRecord onDisk = ExitRecord.parse(Files.readAllBytes(host.taskDir("reuse").resolve("exit.json")));
        assertEquals(9, onDisk.exitCode());
    }

    @Test
    void stoppingEndsPendingWaitsAndEventsPromptlyAndLeavesTheTask() throws Exception {
        Task t = sup.tasks().create(host.createRequest("w", "sleep", "1000"));
        sup.tasks().start(req("w"));
        var wait = TasksGrpc.newFutureStub(sup.channel).wait(req("w"));
        BlockingQueue<Throwable> streamErrors = new LinkedBlockingQueue<>();
        sup.async.events(EventsRequest.getDefaultInstance(), new StreamObserver<>() {
            @Override
            public void onNext(TaskEvent value) {}

            @Override
            public void onError(Throwable e) {
                streamErrors.add(e);
            }

            @Override
            public void onCompleted() {}
        });
        Await.until(T, "the wait and the events calls", () -> sup.server.service().pendingWaitCount() == 1
                && sup.server.taskManager().events().subscriberCount() == 1);

        long start = System.nanoTime();
        sup.server.close();
        assertTrue(System.nanoTime() - start < Duration.ofMillis(1500).toNanos(), "no grace period spent");
        ExecutionException e = assertThrows(ExecutionException.class, () -> wait.get(30, TimeUnit.SECONDS));
        assertEquals(io.grpc.Status.Code.UNAVAILABLE, io.grpc.Status.fromThrowable(e.getCause()).getCode());
        Throwable streamError = streamErrors.poll(30, TimeUnit.SECONDS);
        assertEquals(io.grpc.Status.Code.UNAVAILABLE, io.grpc.Status.fromThrowable(streamError).getCode());
        assertTrue(TestHost.alive(t.getPid()));
    }

    private static TaskRequest req(String id, String execId) {
        return TaskRequest.newBuilder().setId(id).setExecId(execId).build();
    }

    private static CreateExecRequest exec(String id, String execId, String... args) {
        return CreateExecRequest.newBuilder().setId(id).setExecId(execId)
                .setProcess(ByteString.copyFrom(Specs.process(List.of(args), false))).build();
    }

    @Test
    void pausedTaskStaysPausedAcrossARestart() throws Exception {
        Task t = sup.tasks().create(host.createRequest("p", "sleep", "1000"));
        sup.tasks().start(req("p"));
        sup.tasks().pause(req("p"));
        restart();
        Task adopted = sup.tasks().state(req("p"));
        assertEquals(Status.STATUS_PAUSED, adopted.getStatus());
        assertEquals(t.getPid(), adopted.getPid());
        assertEquals(Status.STATUS_RUNNING, sup.tasks().resume(req("p")).getStatus());
    }

    @Test
    void execsAreAdoptedWithTheirTask() throws Exception {
        Task task = sup.tasks().create(host.createRequest("t", "sleep", "1000"));
        sup.tasks().start(req("t"));
        sup.tasks().createExec(exec("t", "run", "sleep", "1000"));
        Task run = sup.tasks().start(req("t", "run"));
        sup.tasks().createExec(exec("t", "done", "sh", "-c", "exit 3"));
        sup.tasks().start(req("t", "done"));
        assertEquals(3, sup.tasks().wait(req("t", "done")).getExit().getExitCode());
        sup.tasks().createExec(exec("t", "idle", "sh", "-c", "echo late"));
        sup.tasks().createExec(exec("t", "away", exitOnSignalFile("away")));
        Task away = sup.tasks().start(req("t", "away"));

        sup.close();
        sup = null;
        Files.createFile(host.rootfs.resolve("go-away"));
        Await.until(T, "exit.json of exec away",
                () -> Files.exists(host.taskDir("t").resolve("execs/away/exit.json")));
        Await.until(T, "exec away to die", () -> !TestHost.alive(away.getPid()));
        sup = InProcessSupervisor.start(host);

        assertEquals(Status.STATUS_RUNNING, sup.tasks().state(req("t")).getStatus());
        Task r = sup.tasks().state(req("t", "run"));
        assertEquals(Status.STATUS_RUNNING, r.getStatus());
        assertEquals(run.getPid(), r.getPid());
        assertEquals(run.getShimPid(), r.getShimPid());
        assertEquals(3, sup.tasks().state(req("t", "done")).getExit().getExitCode());
        assertEquals(42, sup.tasks().state(req("t", "away")).getExit().getExitCode());
        assertEquals(Status.STATUS_CREATED, sup.tasks().state(req("t", "idle")).getStatus());

        // The adopted execs work as before.
        try (AttachClient a = AttachClient.open(sup.async, AttachClient.openOf("t", "idle").build())) {
            Await.until(T, "the attach to be relayed", () -> sup.server.service().attachCount() == 1);
            sup.tasks().start(req("t", "idle"));
            assertEquals(io.grpc.Status.Code.OK, a.awaitEnd(T).getCode());
            assertEquals("late\n", a.stdout());
        }
        sup.tasks().kill(KillRequest.newBuilder().setId("t").setExecId("run").setSignal(9).build());
        assertEquals(137, sup.tasks().wait(req("t", "run")).getExit().getExitCode());
        sup.tasks().delete(DeleteTaskRequest.newBuilder().setId("t").setForce(true).build());
        assertFalse(TestHost.alive(task.getPid()));
        assertFalse(Files.exists(host.taskDir("t")));
    }

    @Test
    void execsOfATaskThatExitedWhileAwayEndToo() throws Exception {
        Task task = sup.tasks().create(host.createRequest("gone", exitOnSignalFile("gone")));
        sup.tasks().start(req("gone"));
        sup.tasks().createExec(exec("gone", "idle", "true"));
        sup.close();
        sup = null;
        Files.createFile(host.rootfs.resolve("go-gone"));
        Await.until(T, "exit.json of gone", () -> Files.exists(host.taskDir("gone").resolve("exit.json")));
        Await.until(T, "init of gone to die", () -> !TestHost.alive(task.getPid()));

        sup = InProcessSupervisor.start(host);
        assertEquals(42, sup.tasks().state(req("gone")).getExit().getExitCode());
        // Never started and now it never can: its shim is ended, and it reports exit code 255.
        assertEquals(255, sup.tasks().wait(req("gone", "idle")).getExit().getExitCode());
    }

    @Test
    void execWhoseShimDiedIsLost() throws Exception {
        sup.tasks().create(host.createRequest("t", "sleep", "1000"));
        sup.tasks().start(req("t"));
        sup.tasks().createExec(exec("t", "e", "sleep", "1000"));
        sup.tasks().start(req("t", "e"));
        ShimPidFile shim = ShimPidFile.parse(Files.readString(host.taskDir("t").resolve("execs/e/shim.pid")));
        ProcessHandle.of(shim.pid()).orElseThrow().destroyForcibly();
        assertEquals(255, sup.tasks().wait(req("t", "e")).getExit().getExitCode());
        assertEquals(Status.STATUS_RUNNING, sup.tasks().state(req("t")).getStatus(), "the task is fine");
        restart();
        assertEquals(255, sup.tasks().state(req("t", "e")).getExit().getExitCode(), "recorded for the next boot");
    }

    @Test
    void bootWithNothingToAdoptIsEmpty() throws Exception {
        restart();
        assertEquals(List.of(), sup.tasks().list(ListTasksRequest.getDefaultInstance()).getTasksList());
    }
}
