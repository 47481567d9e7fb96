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
import dev.holdfast.supervisor.api.TasksGrpc;
import dev.holdfast.supervisor.bundle.ExitRecord;
import dev.holdfast.supervisor.proc.ProcFs;
import dev.holdfast.supervisor.shim.ShimPidFile;
import dev.holdfast.supervisor.testing.AttachClient;
import dev.holdfast.supervisor.testing.Await;
import dev.holdfast.supervisor.testing.Specs;
import dev.holdfast.supervisor.testing.SupervisorExtension;
import dev.holdfast.supervisor.testing.TaskRequests;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A new supervisor adopts what the previous one left: live shims, exits that happened meanwhile, lost shims. */
class AdoptionTest {
    private static final Duration T = Duration.ofSeconds(30);

    @RegisterExtension
    final SupervisorExtension supervisor = new SupervisorExtension();

    private Map<String, Task> list() {
        return supervisor.sup().tasks().list(ListTasksRequest.getDefaultInstance()).getTasksList().stream()
                .collect(Collectors.toMap(Task::getId, Function.identity()));
    }

    private void restart() throws Exception {
        supervisor.stopSupervisor();
        supervisor.startSupervisor();
    }

    /** A container that exits with 42 once the file /go-ID exists in the rootfs. */
    private String[] exitOnSignalFile(String id) {
        return new String[] {"sh", "-c", "while [ ! -e /go-" + id + " ]; do usleep 10000; done; exit 42"};
    }

    @Test
    void restartKeepsRunningAndCreatedTasksAndSeesExitsThatHappenedMeanwhile() throws Exception {
        Task running = supervisor.sup().tasks().create(supervisor.host().createRequest("run", "sleep", "1000"));
        supervisor.sup().tasks().start(TaskRequests.of("run"));
        Task created = supervisor.sup().tasks().create(supervisor.host().createRequest("made", "sh", "-c", "exit 5"));
        Task exiting = supervisor.sup().tasks().create(supervisor.host().createRequest("gone", exitOnSignalFile("gone")));
        supervisor.sup().tasks().start(TaskRequests.of("gone"));

        supervisor.stopSupervisor();
        assertTrue(TestHost.alive(running.getPid()), "containers outlive the supervisor");
        Files.createFile(supervisor.host().rootfs.resolve("go-gone"));
        Await.until(T, "exit.json of gone", () -> Files.exists(supervisor.host().taskDir("gone").resolve("exit.json")));
        Await.until(T, "init of gone to die", () -> !TestHost.alive(exiting.getPid()));

        supervisor.startSupervisor();
        Map<String, Task> tasks = list();
        assertEquals(Status.STATUS_RUNNING, tasks.get("run").getStatus());
        assertEquals(running.getPid(), tasks.get("run").getPid());
        assertEquals(running.getShimPid(), tasks.get("run").getShimPid());
        assertEquals(Status.STATUS_CREATED, tasks.get("made").getStatus());
        assertEquals(created.getPid(), tasks.get("made").getPid());
        assertEquals(Status.STATUS_STOPPED, tasks.get("gone").getStatus());
        assertEquals(42, tasks.get("gone").getExit().getExitCode());

        // The adopted tasks work as before.
        supervisor.sup().tasks().kill(KillRequest.newBuilder().setId("run").setSignal(9).build());
        assertEquals(137, supervisor.sup().tasks().wait(TaskRequests.of("run")).getExit().getExitCode());
        supervisor.sup().tasks().start(TaskRequests.of("made"));
        assertEquals(5, supervisor.sup().tasks().wait(TaskRequests.of("made")).getExit().getExitCode());
        supervisor.sup().tasks().delete(DeleteTaskRequest.newBuilder().setId("gone").build());
        assertFalse(Files.exists(supervisor.host().taskDir("gone")));
    }

    @Test
    void lostShimIsReportedStoppedWith255AndStaysSoAcrossBoots() throws Exception {
        Task t = supervisor.sup().tasks().create(supervisor.host().createRequest("lost", "sleep", "1000"));
        supervisor.sup().tasks().start(TaskRequests.of("lost"));
        supervisor.stopSupervisor();
        ShimPidFile shim = supervisor.host().liveShim("lost").orElseThrow();
        ProcessHandle.of(shim.pid()).orElseThrow().destroyForcibly();
        Await.until(T, "the shim to die", () -> !shim.isLiveShimFor("lost"));
        assertTrue(TestHost.alive(t.getPid()), "the container survives its shim");

        Instant before = Instant.now();
        supervisor.startSupervisor();
        Task lost = supervisor.sup().tasks().state(TaskRequests.of("lost"));
        assertEquals(Status.STATUS_STOPPED, lost.getStatus());
        assertEquals(255, lost.getExit().getExitCode());
        assertTrue(lost.getExit().getExitedAt().getSeconds() >= before.getEpochSecond());
        Await.until(T, "runc delete --force to kill the orphan", () -> !TestHost.alive(t.getPid()));
        assertTrue(Files.exists(supervisor.host().taskDir("lost").resolve("exit.json")));

        // Booting again changes nothing.
        restart();
        assertEquals(lost, supervisor.sup().tasks().state(TaskRequests.of("lost")));
        restart();
        assertEquals(lost, supervisor.sup().tasks().state(TaskRequests.of("lost")));
        assertEquals(lost, supervisor.sup().tasks().wait(TaskRequests.of("lost")));
    }

    @Test
    void shimKilledWhileSupervisorRunsIsLost() throws Exception {
        Task t = supervisor.sup().tasks().create(supervisor.host().createRequest("crash", "sleep", "1000"));
        supervisor.sup().tasks().start(TaskRequests.of("crash"));
        ShimPidFile shim = supervisor.host().liveShim("crash").orElseThrow();
        ProcessHandle.of(shim.pid()).orElseThrow().destroyForcibly();
        Task stopped = supervisor.sup().tasks().wait(TaskRequests.of("crash"));
        assertEquals(255, stopped.getExit().getExitCode());
        Await.until(T, "the orphaned container to be killed", () -> !TestHost.alive(t.getPid()));
    }

    @Test
    void reusedPidIsNeverAdopted() throws Exception {
        supervisor.sup().tasks().create(supervisor.host().createRequest("reuse", "sh", "-c", "exit 9"));
        supervisor.sup().tasks().start(TaskRequests.of("reuse"));
        supervisor.sup().tasks().wait(TaskRequests.of("reuse"));
        supervisor.stopSupervisor();
        // shim.pid now names a live process that is not a shim (this JVM, with its true start time).
        long me = ProcessHandle.current().pid();
        Files.writeString(supervisor.host().taskDir("reuse").resolve("shim.pid"),
                me + " " + ProcFs.startTime(me).orElseThrow() + "\n");
        // ... and a live shim-looking start time mismatch is covered by ShimPidFileTest.
        supervisor.startSupervisor();
        Task t = supervisor.sup().tasks().state(TaskRequests.of("reuse"));
        assertEquals(Status.STATUS_STOPPED, t.getStatus());
        assertEquals(9, t.getExit().getExitCode());
        ExitRecord onDisk = ExitRecord.parse(Files.readAllBytes(supervisor.host().taskDir("reuse").resolve("exit.json")));
        assertEquals(9, onDisk.exitCode());
    }

    @Test
    void stoppingEndsPendingWaitsAndEventsPromptlyAndLeavesTheTask() throws Exception {
        Task t = supervisor.sup().tasks().create(supervisor.host().createRequest("w", "sleep", "1000"));
        supervisor.sup().tasks().start(TaskRequests.of("w"));
        var wait = TasksGrpc.newFutureStub(supervisor.sup().channel).wait(TaskRequests.of("w"));
        BlockingQueue<Throwable> streamErrors = new LinkedBlockingQueue<>();
        supervisor.sup().async.events(EventsRequest.getDefaultInstance(), new StreamObserver<>() {
            @Override
            public void onNext(TaskEvent value) {}

            @Override
            public void onError(Throwable e) {
                streamErrors.add(e);
            }

            @Override
            public void onCompleted() {}
        });
        Await.until(T, "the wait and the events calls", () -> supervisor.sup().server.service().pendingWaitCount() == 1
                && supervisor.sup().server.taskManager().events().subscriberCount() == 1);

        long start = System.nanoTime();
        supervisor.sup().server.close();
        assertTrue(System.nanoTime() - start < Duration.ofMillis(1500).toNanos(), "no grace period spent");
        ExecutionException e = assertThrows(ExecutionException.class, () -> wait.get(30, TimeUnit.SECONDS));
        assertEquals(io.grpc.Status.Code.UNAVAILABLE, io.grpc.Status.fromThrowable(e.getCause()).getCode());
        Throwable streamError = streamErrors.poll(30, TimeUnit.SECONDS);
        assertEquals(io.grpc.Status.Code.UNAVAILABLE, io.grpc.Status.fromThrowable(streamError).getCode());
        assertTrue(TestHost.alive(t.getPid()));
    }

    private static CreateExecRequest exec(String id, String execId, String... args) {
        return CreateExecRequest.newBuilder().setId(id).setExecId(execId)
                .setProcess(ByteString.copyFrom(Specs.process(List.of(args), false))).build();
    }

    @Test
    void pausedTaskStaysPausedAcrossARestart() throws Exception {
        Task t = supervisor.sup().tasks().create(supervisor.host().createRequest("p", "sleep", "1000"));
        supervisor.sup().tasks().start(TaskRequests.of("p"));
        supervisor.sup().tasks().pause(TaskRequests.of("p"));
        restart();
        Task adopted = supervisor.sup().tasks().state(TaskRequests.of("p"));
        assertEquals(Status.STATUS_PAUSED, adopted.getStatus());
        assertEquals(t.getPid(), adopted.getPid());
        assertEquals(Status.STATUS_RUNNING, supervisor.sup().tasks().resume(TaskRequests.of("p")).getStatus());
    }

    @Test
    void execsAreAdoptedWithTheirTask() throws Exception {
        Task task = supervisor.sup().tasks().create(supervisor.host().createRequest("t", "sleep", "1000"));
        supervisor.sup().tasks().start(TaskRequests.of("t"));
        supervisor.sup().tasks().createExec(exec("t", "run", "sleep", "1000"));
        Task run = supervisor.sup().tasks().start(TaskRequests.of("t", "run"));
        supervisor.sup().tasks().createExec(exec("t", "done", "sh", "-c", "exit 3"));
        supervisor.sup().tasks().start(TaskRequests.of("t", "done"));
        assertEquals(3, supervisor.sup().tasks().wait(TaskRequests.of("t", "done")).getExit().getExitCode());
        supervisor.sup().tasks().createExec(exec("t", "idle", "sh", "-c", "echo late"));
        supervisor.sup().tasks().createExec(exec("t", "away", exitOnSignalFile("away")));
        Task away = supervisor.sup().tasks().start(TaskRequests.of("t", "away"));

        supervisor.stopSupervisor();
        Files.createFile(supervisor.host().rootfs.resolve("go-away"));
        Await.until(T, "exit.json of exec away",
                () -> Files.exists(supervisor.host().taskDir("t").resolve("execs/away/exit.json")));
        Await.until(T, "exec away to die", () -> !TestHost.alive(away.getPid()));
        supervisor.startSupervisor();

        assertEquals(Status.STATUS_RUNNING, supervisor.sup().tasks().state(TaskRequests.of("t")).getStatus());
        Task r = supervisor.sup().tasks().state(TaskRequests.of("t", "run"));
        assertEquals(Status.STATUS_RUNNING, r.getStatus());
        assertEquals(run.getPid(), r.getPid());
        assertEquals(run.getShimPid(), r.getShimPid());
        assertEquals(3, supervisor.sup().tasks().state(TaskRequests.of("t", "done")).getExit().getExitCode());
        assertEquals(42, supervisor.sup().tasks().state(TaskRequests.of("t", "away")).getExit().getExitCode());
        assertEquals(Status.STATUS_CREATED, supervisor.sup().tasks().state(TaskRequests.of("t", "idle")).getStatus());

        // The adopted execs work as before.
        try (AttachClient a = AttachClient.open(supervisor.sup().async, AttachClient.openOf("t", "idle").build())) {
            Await.until(T, "the attach to be relayed", () -> supervisor.sup().server.service().attachCount() == 1);
            supervisor.sup().tasks().start(TaskRequests.of("t", "idle"));
            assertEquals(io.grpc.Status.Code.OK, a.awaitEnd(T).getCode());
            assertEquals("late\n", a.stdout());
        }
        supervisor.sup().tasks().kill(KillRequest.newBuilder().setId("t").setExecId("run").setSignal(9).build());
        assertEquals(137, supervisor.sup().tasks().wait(TaskRequests.of("t", "run")).getExit().getExitCode());
        supervisor.sup().tasks().delete(DeleteTaskRequest.newBuilder().setId("t").setForce(true).build());
        assertFalse(TestHost.alive(task.getPid()));
        assertFalse(Files.exists(supervisor.host().taskDir("t")));
    }

    @Test
    void execsOfATaskThatExitedWhileAwayEndToo() throws Exception {
        Task task = supervisor.sup().tasks().create(supervisor.host().createRequest("gone", exitOnSignalFile("gone")));
        supervisor.sup().tasks().start(TaskRequests.of("gone"));
        supervisor.sup().tasks().createExec(exec("gone", "idle", "true"));
        supervisor.stopSupervisor();
        Files.createFile(supervisor.host().rootfs.resolve("go-gone"));
        Await.until(T, "exit.json of gone", () -> Files.exists(supervisor.host().taskDir("gone").resolve("exit.json")));
        Await.until(T, "init of gone to die", () -> !TestHost.alive(task.getPid()));

        supervisor.startSupervisor();
        assertEquals(42, supervisor.sup().tasks().state(TaskRequests.of("gone")).getExit().getExitCode());
        // Never started and now it never can: its shim is ended, and it reports exit code 255.
        assertEquals(255, supervisor.sup().tasks().wait(TaskRequests.of("gone", "idle")).getExit().getExitCode());
    }

    @Test
    void execWhoseShimDiedIsLost() throws Exception {
        supervisor.sup().tasks().create(supervisor.host().createRequest("t", "sleep", "1000"));
        supervisor.sup().tasks().start(TaskRequests.of("t"));
        supervisor.sup().tasks().createExec(exec("t", "e", "sleep", "1000"));
        supervisor.sup().tasks().start(TaskRequests.of("t", "e"));
        ShimPidFile shim = ShimPidFile.parse(Files.readString(supervisor.host().taskDir("t").resolve("execs/e/shim.pid")));
        ProcessHandle.of(shim.pid()).orElseThrow().destroyForcibly();
        assertEquals(255, supervisor.sup().tasks().wait(TaskRequests.of("t", "e")).getExit().getExitCode());
        assertEquals(Status.STATUS_RUNNING, supervisor.sup().tasks().state(TaskRequests.of("t")).getStatus(), "the task is fine");
        restart();
        assertEquals(255, supervisor.sup().tasks().state(TaskRequests.of("t", "e")).getExit().getExitCode(), "recorded for the next boot");
    }

    @Test
    void bootWithNothingToAdoptIsEmpty() throws Exception {
        restart();
        assertEquals(List.of(), supervisor.sup().tasks().list(ListTasksRequest.getDefaultInstance()).getTasksList());
    }
}
