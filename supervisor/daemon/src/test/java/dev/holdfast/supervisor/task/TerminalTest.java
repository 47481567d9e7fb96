package dev.holdfast.supervisor.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.holdfast.supervisor.api.CreateExecRequest;
import dev.holdfast.supervisor.api.CreateTaskRequest;
import dev.holdfast.supervisor.api.ResizePtyRequest;
import dev.holdfast.supervisor.api.TaskRequest;
import dev.holdfast.supervisor.testing.AttachClient;
import dev.holdfast.supervisor.testing.Await;
import dev.holdfast.supervisor.testing.InProcessSupervisor;
import dev.holdfast.supervisor.testing.Specs;
import dev.holdfast.supervisor.testing.TestHost;
import io.grpc.StatusRuntimeException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Tasks and execs with a terminal: one output stream from a pty, input through it, ResizePty. */
class TerminalTest {
    private static final Duration T = Duration.ofSeconds(30);
    private static final List<String> NAMESPACES = List.of("pid", "ipc", "uts", "mount");

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

    private CreateTaskRequest ttyTask(String id, String script) {
        return host.createRequest(id, Specs.spec(host.rootfs, host.cgroupsPath(id), List.of("sh", "-c", script),
                NAMESPACES, true)).toBuilder().setTerminal(true).setStdin(true).build();
    }

    private static ResizePtyRequest resize(String id, String execId, int width, int height) {
        return ResizePtyRequest.newBuilder().setId(id).setExecId(execId).setWidth(width).setHeight(height).build();
    }

    @Test
    void ttyTaskHasAPtyThatResizes() throws Exception {
        sup.tasks().create(ttyTask("tty", "tty; read line; stty size; echo err >&2"));
        try (AttachClient a = AttachClient.open(sup.async, AttachClient.openOf("tty", "").setStdin(true).build())) {
            Await.until(T, "the attach to be relayed", () -> sup.server.service().attachCount() == 1);
            sup.tasks().start(req("tty", ""));
            a.awaitStdout(T, "/dev/pts/");
            sup.tasks().resizePty(resize("tty", "", 100, 40));
            a.stdin("go\r");
            a.awaitStdout(T, "40 100");
            assertEquals(io.grpc.Status.Code.OK, a.awaitEnd(T).getCode());
            // One stream: stderr comes through the terminal as stdout.
            assertTrue(a.stdout().contains("err"), a.stdout());
            assertEquals("", a.stderr());
        }
        assertEquals(0, sup.tasks().wait(req("tty", "")).getExit().getExitCode());
        Await.until(T, "the terminal's output in the log", () -> {
            try {
                return Files.readString(host.logPath("tty")).contains("/dev/pts/");
            } catch (Exception e) {
                return false;
            }
        });
    }

    @Test
    void ttyExecResizedBeforeStart() throws Exception {
        sup.tasks().create(host.createRequest("t", "sleep", "1000"));
        sup.tasks().start(req("t", ""));
        sup.tasks().createExec(CreateExecRequest.newBuilder().setId("t").setExecId("sh").setTerminal(true)
                .setStdin(true)
                .setProcess(ByteString.copyFrom(Specs.process(List.of("sh", "-c", "tty; read x; stty size"), true)))
                .build());
        // Remembered until the terminal exists, and applied before Start answers.
        sup.tasks().resizePty(resize("t", "sh", 120, 50));
        try (AttachClient a = AttachClient.open(sup.async, AttachClient.openOf("t", "sh").setStdin(true).build())) {
            Await.until(T, "the attach to be relayed", () -> sup.server.service().attachCount() == 1);
            sup.tasks().start(req("t", "sh"));
            a.awaitStdout(T, "/dev/pts/");
            a.stdin("go\r");
            a.awaitStdout(T, "50 120");
            assertEquals(io.grpc.Status.Code.OK, a.awaitEnd(T).getCode());
        }
        assertEquals(0, sup.tasks().wait(req("t", "sh")).getExit().getExitCode());
    }

    @Test
    void terminalMustAgreeWithTheSpecAndResizeNeedsATty() {
        byte[] ttySpec = Specs.spec(host.rootfs, host.cgroupsPath("m"), List.of("true"), NAMESPACES, true);
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> sup.tasks().create(host.createRequest("m", ttySpec)));
        assertEquals(io.grpc.Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
        assertTrue(e.getStatus().getDescription().startsWith("task m: create: spec: process.terminal is true"),
                e.getStatus().getDescription());
        e = assertThrows(StatusRuntimeException.class, () -> sup.tasks().create(
                host.createRequest("m", "true").toBuilder().setTerminal(true).build()));
        assertEquals(io.grpc.Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());

        sup.tasks().create(host.createRequest("plain", "sleep", "1000"));
        sup.tasks().start(req("plain", ""));
        e = assertThrows(StatusRuntimeException.class, () -> sup.tasks().resizePty(resize("plain", "", 80, 24)));
        assertEquals(io.grpc.Status.Code.FAILED_PRECONDITION, e.getStatus().getCode());
        assertTrue(e.getStatus().getDescription().startsWith("task plain: resize pty: "),
                e.getStatus().getDescription());
        e = assertThrows(StatusRuntimeException.class, () -> sup.tasks().resizePty(resize("plain", "", 70000, 24)));
        assertEquals(io.grpc.Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
    }
}
