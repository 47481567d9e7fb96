package dev.holdfast.supervisor.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.holdfast.supervisor.api.CreateExecRequest;
import dev.holdfast.supervisor.api.CreateTaskRequest;
import dev.holdfast.supervisor.api.ResizePtyRequest;
import dev.holdfast.supervisor.testing.AttachClient;
import dev.holdfast.supervisor.testing.Await;
import dev.holdfast.supervisor.testing.Specs;
import dev.holdfast.supervisor.testing.SupervisorExtension;
import dev.holdfast.supervisor.testing.TaskRequests;
import io.grpc.StatusRuntimeException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Tasks and execs with a terminal: one output stream from a pty, input through it, ResizePty. */
class TerminalTest {
    private static final Duration T = Duration.ofSeconds(30);
    private static final List<String> NAMESPACES = List.of("pid", "ipc", "uts", "mount");

    @RegisterExtension
    final SupervisorExtension supervisor = new SupervisorExtension();

    private CreateTaskRequest ttyTask(String id, String script) {
        return supervisor.host().createRequest(id, Specs.spec(supervisor.host().rootfs, supervisor.host().cgroupsPath(id), List.of("sh", "-c", script),
                NAMESPACES, true)).toBuilder().setTerminal(true).setStdin(true).build();
    }

    private static ResizePtyRequest resize(String id, String execId, int width, int height) {
        return ResizePtyRequest.newBuilder().setId(id).setExecId(execId).setWidth(width).setHeight(height).build();
    }

    @Test
    void ttyTaskHasAPtyThatResizes() throws Exception {
        supervisor.sup().tasks().create(ttyTask("tty", "tty; read line; stty size; echo err >&2"));
        try (AttachClient a = AttachClient.open(supervisor.sup().async, AttachClient.openOf("tty", "").setStdin(true).build())) {
            Await.until(T, "the attach to be relayed", () -> supervisor.sup().server.service().attachCount() == 1);
            supervisor.sup().tasks().start(TaskRequests.of("tty", ""));
            a.awaitStdout(T, "/dev/pts/");
            supervisor.sup().tasks().resizePty(resize("tty", "", 100, 40));
            a.stdin("go\r");
            a.awaitStdout(T, "40 100");
            assertEquals(io.grpc.Status.Code.OK, a.awaitEnd(T).getCode());
            // One stream: stderr comes through the terminal as stdout.
            assertTrue(a.stdout().contains("err"), a.stdout());
            assertEquals("", a.stderr());
        }
        assertEquals(0, supervisor.sup().tasks().wait(TaskRequests.of("tty", "")).getExit().getExitCode());
        Await.until(T, "the terminal's output in the log", () -> {
            try {
                return Files.readString(supervisor.host().logPath("tty")).contains("/dev/pts/");
            } catch (Exception e) {
                return false;
            }
        });
    }

    @Test
    void ttyExecResizedBeforeStart() throws Exception {
        supervisor.sup().tasks().create(supervisor.host().createRequest("t", "sleep", "1000"));
        supervisor.sup().tasks().start(TaskRequests.of("t", ""));
        supervisor.sup().tasks().createExec(CreateExecRequest.newBuilder().setId("t").setExecId("sh").setTerminal(true)
                .setStdin(true)
                .setProcess(ByteString.copyFrom(Specs.process(List.of("sh", "-c", "tty; read x; stty size"), true)))
                .build());
        // Remembered until the terminal exists, and applied before Start answers.
        supervisor.sup().tasks().resizePty(resize("t", "sh", 120, 50));
        try (AttachClient a = AttachClient.open(supervisor.sup().async, AttachClient.openOf("t", "sh").setStdin(true).build())) {
            Await.until(T, "the attach to be relayed", () -> supervisor.sup().server.service().attachCount() == 1);
            supervisor.sup().tasks().start(TaskRequests.of("t", "sh"));
            a.awaitStdout(T, "/dev/pts/");
            a.stdin("go\r");
            a.awaitStdout(T, "50 120");
            assertEquals(io.grpc.Status.Code.OK, a.awaitEnd(T).getCode());
        }
        assertEquals(0, supervisor.sup().tasks().wait(TaskRequests.of("t", "sh")).getExit().getExitCode());
    }

    @Test
    void terminalMustAgreeWithTheSpecAndResizeNeedsATty() {
        byte[] ttySpec = Specs.spec(supervisor.host().rootfs, supervisor.host().cgroupsPath("m"), List.of("true"), NAMESPACES, true);
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> supervisor.sup().tasks().create(supervisor.host().createRequest("m", ttySpec)));
        assertEquals(io.grpc.Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
        assertTrue(e.getStatus().getDescription().startsWith("task m: create: spec: process.terminal is true"),
                e.getStatus().getDescription());
        e = assertThrows(StatusRuntimeException.class, () -> supervisor.sup().tasks().create(
                supervisor.host().createRequest("m", "true").toBuilder().setTerminal(true).build()));
        assertEquals(io.grpc.Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());

        supervisor.sup().tasks().create(supervisor.host().createRequest("plain", "sleep", "1000"));
        supervisor.sup().tasks().start(TaskRequests.of("plain", ""));
        e = assertThrows(StatusRuntimeException.class, () -> supervisor.sup().tasks().resizePty(resize("plain", "", 80, 24)));
        assertEquals(io.grpc.Status.Code.FAILED_PRECONDITION, e.getStatus().getCode());
        assertTrue(e.getStatus().getDescription().startsWith("task plain: resize pty: "),
                e.getStatus().getDescription());
        e = assertThrows(StatusRuntimeException.class, () -> supervisor.sup().tasks().resizePty(resize("plain", "", 70000, 24)));
        assertEquals(io.grpc.Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
    }
}
