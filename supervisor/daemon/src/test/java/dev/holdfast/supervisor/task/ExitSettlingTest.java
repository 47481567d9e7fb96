package dev.holdfast.supervisor.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.holdfast.supervisor.api.Status;
import dev.holdfast.supervisor.api.Task;
import dev.holdfast.supervisor.api.TaskEvent;
import dev.holdfast.supervisor.bundle.ExecDirectory;
import dev.holdfast.supervisor.bundle.ExitRecord;
import dev.holdfast.supervisor.bundle.TaskDirectory;
import dev.holdfast.supervisor.config.SupervisorConfig;
import dev.holdfast.supervisor.runc.Runc;
import dev.holdfast.supervisor.runc.TaskRuntimes;
import dev.holdfast.supervisor.shim.AdoptedExec;
import dev.holdfast.supervisor.shim.AdoptedTask;
import dev.holdfast.supervisor.shim.LostShims;
import dev.holdfast.supervisor.shim.ShimLauncher;
import dev.holdfast.supervisor.shim.ShimPidFile;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The shim writes exit.json, then answers the supervisor's waiter, then closes attach connections: the end of an
 * attach can reach the supervisor before the waiter's answer. That exit is recorded when the attach ends, so the
 * engine, which asks for an exec's exit code right after its attach ended, never sees it still running (it read
 * that as exit code 0). The shims here are fake sockets that take the waiter's {@code wait} and never answer it.
 */
class ExitSettlingTest {
    private static final String TASK = "t1";
    private static final String EXEC = "e1";

    private final TaskRegistry registry = new TaskRegistry();
    private Path dir;
    private ExecDirectory execDir;
    private TaskManager tasks;
    private final List<ServerSocketChannel> shims = new CopyOnWriteArrayList<>();
    private final List<SocketChannel> held = new CopyOnWriteArrayList<>();
    private final List<TaskEvent> events = new CopyOnWriteArrayList<>();

    @BeforeEach
    void adoptARunningTaskWithARunningExec() throws IOException {
        dir = Files.createTempDirectory(Path.of("/tmp"), "hfx-");
        SupervisorConfig config = SupervisorConfig.parse("[paths]\nrun = \"" + dir + "\"\n", dir, Map.of(),
                Optional.empty(), "");
        TaskRuntimes runtimes = new TaskRuntimes(config.tasksDir(),
                new Runc(Path.of("/nonexistent/runc"), config.runcRoot(), Duration.ofSeconds(1)),
                config.runtimesDir(), Duration.ofSeconds(1));
        TaskEvents taskEvents = new TaskEvents();
        taskEvents.subscribe(events::add, () -> {});
        tasks = new TaskManager(config, registry, taskEvents,
                new ShimLauncher(Path.of("/nonexistent/holdfast-shim"), runtimes, Duration.ofSeconds(1)), runtimes,
                new LostShims(runtimes, Clock.systemUTC()), Optional.empty());

        TaskDirectory task = new TaskDirectory(config.tasksDir(), TASK);
        Files.createDirectories(task.path());
        execDir = task.exec(EXEC);
        execDir.createWithParent();
        Files.createDirectories(config.shimSocketDir());
        fakeShim(config.shimSocket(TASK));
        fakeShim(config.shimSocket(TASK, EXEC));
        ShimPidFile notAShim = new ShimPidFile((int) ProcessHandle.current().pid(), 0);
        tasks.adopt(List.of(AdoptedTask.live(TASK, Status.STATUS_RUNNING, 100, notAShim)
                .withExecs(List.of(AdoptedExec.live(EXEC, Status.STATUS_RUNNING, 101, notAShim)))));
    }

    @AfterEach
    void cleanUp() throws IOException {
        tasks.close();
        for (SocketChannel c : held) {
            c.close();
        }
        for (ServerSocketChannel s : shims) {
            s.close();
        }
        ExecDirectory.removeTree(dir);
    }

    /** Accepts connections (the waiters' {@code wait}) and holds them unanswered. */
    private void fakeShim(Path socket) throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        shims.add(server);
        Thread.ofVirtual().start(() -> {
            try {
                while (true) {
                    held.add(server.accept());
                }
            } catch (IOException e) {
                // closed at the end of the test
            }
        });
    }

    @Test
    void anExecsExitWrittenByItsShimIsRecordedWhenItsAttachEnds() throws IOException {
        assertFalse(tasks.settleExit(TASK, EXEC), "no exit.json yet: an attach ending now was dropped");
        assertEquals(Status.STATUS_RUNNING, tasks.state(TASK, EXEC).getStatus());

        execDir.writeExit(new ExitRecord(101, 5, Instant.parse("2026-01-02T03:04:05Z")));
        assertTrue(tasks.settleExit(TASK, EXEC));

        Task state = tasks.state(TASK, EXEC);
        assertEquals(Status.STATUS_STOPPED, state.getStatus(), state.toString());
        assertEquals(5, state.getExit().getExitCode());
        assertTrue(tasks.await(TASK, EXEC).isDone(), "Wait answers at once");
        assertEquals(5, tasks.await(TASK, EXEC).join().getExit().getExitCode());
        assertEquals(Status.STATUS_RUNNING, tasks.state(TASK, "").getStatus(), "the task itself runs on");
    }

    @Test
    void theExitIsRecordedOnceWhoeverBringsIt() throws IOException {
        ExitRecord exit = new ExitRecord(101, 5, Instant.parse("2026-01-02T03:04:05Z"));
        execDir.writeExit(exit);
        assertTrue(tasks.settleExit(TASK, EXEC));
        tasks.exited(registry.get(TASK).orElseThrow().exec(EXEC).orElseThrow(),
                new ExitRecord(101, 255, Instant.now()));
        assertTrue(tasks.settleExit(TASK, EXEC));

        assertEquals(5, tasks.state(TASK, EXEC).getExit().getExitCode(), "the first exit stands");
        assertEquals(1, events.stream().filter(e -> e.getType() == TaskEvent.Type.TYPE_EXIT).count(), events.toString());
    }
}
