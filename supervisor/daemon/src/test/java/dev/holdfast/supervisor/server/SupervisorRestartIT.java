package dev.holdfast.supervisor.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.holdfast.supervisor.api.CreateExecRequest;
import dev.holdfast.supervisor.api.KillRequest;
import dev.holdfast.supervisor.api.ListTasksRequest;
import dev.holdfast.supervisor.api.Status;
import dev.holdfast.supervisor.api.Task;
import dev.holdfast.supervisor.api.TaskRequest;
import dev.holdfast.supervisor.api.TasksGrpc;
import dev.holdfast.supervisor.client.SupervisorChannels;
import dev.holdfast.supervisor.testing.AttachClient;
import dev.holdfast.supervisor.testing.Await;
import dev.holdfast.supervisor.testing.Specs;
import dev.holdfast.supervisor.testing.TestHost;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The key property, with the supervisor as a separate {@code java -jar} process: kill -9 it while tasks run, and a
 * new one adopts them with the same pids; exits that happened in between are reported with their true code.
 */
class SupervisorRestartIT {
    private static final Duration T = Duration.ofSeconds(60);
    private static final Path JAR = Path.of(System.getProperty("holdfast.supervisor.jar",
            "target/holdfast-supervisor.jar"));

    private TestHost host;
    private Process supervisor;
    private ManagedChannel channel;

    @BeforeEach
    void setUp() throws Exception {
        host = TestHost.create();
        assertTrue(Files.isRegularFile(JAR), "no supervisor jar at " + JAR);
        channel = SupervisorChannels.connect(host.config.socket());
    }

    @AfterEach
    void tearDown() throws Exception {
        try {
            if (channel != null) {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
            if (supervisor != null && supervisor.isAlive()) {
                supervisor.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
        } finally {
            if (host != null) {
                host.close();
            }
        }
    }

    private TasksGrpc.TasksBlockingStub tasks() {
        return TasksGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS);
    }

    private static TaskRequest req(String id) {
        return TaskRequest.newBuilder().setId(id).build();
    }

    private Process startSupervisor() throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(), "-jar", JAR.toString(), "--config", host.configFile.toString())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(host.dir.resolve("supervisor.log").toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .start();
        Await.until(T, "the supervisor to serve", () -> {
            if (!p.isAlive()) {
                throw new AssertionError("supervisor exited with " + p.exitValue() + ": " + log());
            }
            try {
                TasksGrpc.newBlockingStub(channel).withDeadlineAfter(2, TimeUnit.SECONDS)
                        .list(ListTasksRequest.getDefaultInstance());
                return true;
            } catch (StatusRuntimeException e) {
                return false;
            }
        });
        return p;
    }

    private String log() {
        try {
            return Files.readString(host.dir.resolve("supervisor.log"));
        } catch (Exception e) {
            return "(no log)";
        }
    }

    private Map<String, Task> list() {
        return tasks().list(ListTasksRequest.getDefaultInstance()).getTasksList().stream()
                .collect(Collectors.toMap(Task::getId, Function.identity()));
    }

    @Test
    void killDashNineThenAdopt() throws Exception {
        supervisor = startSupervisor();
        Task run = tasks().create(host.createRequest("run", "sleep", "1000"));
        tasks().start(req("run"));
        Task gone = tasks().create(host.createRequest("gone", "sh", "-c",
                "while [ ! -e /go-gone ]; do usleep 10000; done; exit 42"));
        tasks().start(req("gone"));

        supervisor.destroyForcibly();
        assertTrue(supervisor.waitFor(30, TimeUnit.SECONDS));
        assertEquals(137, supervisor.exitValue());
        assertTrue(TestHost.alive(run.getPid()), "the container keeps running");
        assertTrue(host.liveShim("run").isPresent(), "its shim keeps running");

        // An exit while nobody supervises.
        Files.createFile(host.rootfs.resolve("go-gone"));
        Await.until(T, "gone's exit.json", () -> Files.exists(host.taskDir("gone").resolve("exit.json")));
        Await.until(T, "gone's init to die", () -> !TestHost.alive(gone.getPid()));

        supervisor = startSupervisor();
        Map<String, Task> tasks = list();
        assertEquals(Status.STATUS_RUNNING, tasks.get("run").getStatus());
        assertEquals(run.getPid(), tasks.get("run").getPid());
        assertEquals(Status.STATUS_STOPPED, tasks.get("gone").getStatus());
        assertEquals(42, tasks.get("gone").getExit().getExitCode());

        tasks().kill(KillRequest.newBuilder().setId("run").setSignal(9).build());
        Task stopped = tasks().wait(req("run"));
        assertEquals(137, stopped.getExit().getExitCode());
        assertFalse(TestHost.alive(run.getPid()));
    }

    @Test
    void runningExecSurvivesKillDashNineAndIsAdopted() throws Exception {
        supervisor = startSupervisor();
        tasks().create(host.createRequest("t", "sleep", "1000"));
        tasks().start(req("t"));
        tasks().createExec(CreateExecRequest.newBuilder().setId("t").setExecId("cat").setStdin(true)
                .setProcess(ByteString.copyFrom(Specs.process(List.of("cat"), false))).build());
        Task exec = tasks().start(TaskRequest.newBuilder().setId("t").setExecId("cat").build());

        supervisor.destroyForcibly();
        assertTrue(supervisor.waitFor(30, TimeUnit.SECONDS));
        assertTrue(TestHost.alive(exec.getPid()), "the exec keeps running");

        supervisor = startSupervisor();
        TaskRequest catReq = TaskRequest.newBuilder().setId("t").setExecId("cat").build();
        Task adopted = tasks().state(catReq);
        assertEquals(Status.STATUS_RUNNING, adopted.getStatus());
        assertEquals(exec.getPid(), adopted.getPid());
        assertEquals(exec.getShimPid(), adopted.getShimPid());
        // Its stdin still works through the new supervisor, and its exit is seen.
        try (AttachClient a = AttachClient.open(TasksGrpc.newStub(channel), AttachClient.openOf("t", "cat")
                .setStdin(true).setStdinOnce(true).build())) {
            a.stdin("still here\n");
            a.awaitStdout(T, "still here\n");
            a.stdinEof();
            assertEquals(io.grpc.Status.Code.OK, a.awaitEnd(T).getCode());
        }
        assertEquals(0, tasks().wait(catReq).getExit().getExitCode());
    }

    @Test
    void sigtermStopsTheSupervisorButNotTheContainers() throws Exception {
        supervisor = startSupervisor();
        assertEquals(Long.toString(supervisor.pid()), Files.readString(host.config.pidFile()).strip());
        Task t = tasks().create(host.createRequest("keep", "sleep", "1000"));
        tasks().start(req("keep"));

        supervisor.destroy(); // SIGTERM
        assertTrue(supervisor.waitFor(30, TimeUnit.SECONDS));
        assertTrue(TestHost.alive(t.getPid()));
        assertFalse(Files.exists(host.config.socket()), "socket removed");
        assertFalse(Files.exists(host.config.pidFile()), "pid file removed");

        supervisor = startSupervisor();
        assertEquals(Status.STATUS_RUNNING, tasks().state(req("keep")).getStatus());
    }
}
