package dev.holdfast.supervisor.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.holdfast.supervisor.api.Status;
import dev.holdfast.supervisor.api.TaskEvent;
import dev.holdfast.supervisor.bundle.ExitRecord;
import dev.holdfast.supervisor.bundle.TaskDirectory;
import dev.holdfast.supervisor.proc.ProcFs;
import dev.holdfast.supervisor.shim.ShimConnection;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TaskRecordTest {
    private final TaskEvents events = new TaskEvents();
    private final List<TaskEvent> seen = new ArrayList<>();

    private TaskRecord created() {
        events.subscribe(seen::add, () -> {});
        return new TaskRecord("t", new TaskDirectory(Path.of("/nonexistent"), "t"),
                new ShimConnection(Path.of("/nonexistent.sock")), null, 20, 21, Status.STATUS_CREATED, null);
    }

    private List<TaskEvent.Type> types() {
        return seen.stream().map(TaskEvent::getType).toList();
    }

    @Test
    void exitDuringStartIsPublishedAfterStart() {
        TaskRecord r = created();
        r.announceCreate(events);
        r.beginStart();
        assertTrue(r.exited(new ExitRecord(21, 0, Instant.EPOCH), events));
        assertFalse(r.isStopped(), "not before start has answered");
        assertFalse(r.whenStopped().isDone());
        assertEquals(Status.STATUS_RUNNING, r.finishStart(true, events).getStatus(), "start answers as of START");
        assertEquals(List.of(TaskEvent.Type.TYPE_CREATE, TaskEvent.Type.TYPE_START, TaskEvent.Type.TYPE_EXIT),
                types());
        assertTrue(r.isStopped());
        assertEquals(0, r.whenStopped().join().getExit().getExitCode());
        assertEquals(Status.STATUS_RUNNING, seen.get(1).getTask().getStatus());
    }

    @Test
    void exitIsRecordedOnce() {
        TaskRecord r = created();
        r.beginStart();
        r.finishStart(true, events);
        assertTrue(r.exited(new ExitRecord(21, 7, Instant.EPOCH), events));
        assertFalse(r.exited(new ExitRecord(21, 255, Instant.now()), events));
        assertEquals(7, r.toTask().getExit().getExitCode());
        assertEquals(List.of(TaskEvent.Type.TYPE_START, TaskEvent.Type.TYPE_EXIT), types());
        assertThrows(TaskException.class, r::beginStart);
    }

    @Test
    void failedStartStillDeliversAnExit() {
        TaskRecord r = created();
        r.beginStart();
        r.exited(new ExitRecord(21, 1, Instant.EPOCH), events);
        r.finishStart(false, events);
        assertEquals(List.of(TaskEvent.Type.TYPE_EXIT), types());
        assertEquals(21, r.toTask().getPid());
        assertEquals(20, r.toTask().getShimPid());
    }

    @Test
    void toTaskCarriesExitTimestamp() {
        TaskRecord r = created();
        Instant at = Instant.parse("2026-11-22T03:58:37.123456789Z");
        r.exited(new ExitRecord(21, 3, at), events);
        var t = r.toTask();
        assertEquals(at.getEpochSecond(), t.getExit().getExitedAt().getSeconds());
        assertEquals(123456789, t.getExit().getExitedAt().getNanos());
    }

    @Test
    void pauseAndResumeOnlyFromTheRightStatus() {
        TaskRecord r = created();
        assertEquals(null, r.markPaused(events), "a created task is not paused");
        r.beginStart();
        r.finishStart(true, events);
        assertEquals(Status.STATUS_PAUSED, r.markPaused(events).getStatus());
        assertEquals(null, r.markPaused(events));
        assertEquals(Status.STATUS_RUNNING, r.markResumed(events).getStatus());
        assertEquals(null, r.markResumed(events));
        r.markPaused(events);
        assertTrue(r.exited(new ExitRecord(21, 137, Instant.EPOCH), events), "a paused task can exit");
        assertEquals(List.of(TaskEvent.Type.TYPE_START, TaskEvent.Type.TYPE_PAUSED, TaskEvent.Type.TYPE_RESUMED,
                TaskEvent.Type.TYPE_PAUSED, TaskEvent.Type.TYPE_EXIT), types());
    }

    @Test
    void execsAnnounceThemselvesAsExecsAndLearnTheirPidAtStart() {
        TaskRecord task = created();
        ExecRecord e = new ExecRecord(task.dir().exec("e1"), new ShimConnection(Path.of("/nonexistent-e.sock")),
                null, 30, 0, Status.STATUS_CREATED, null);
        assertTrue(task.addExec(e));
        assertFalse(task.addExec(e));
        e.announceCreate(events);
        e.beginStart();
        var started = e.finishStart(true, 31, events);
        assertEquals(31, started.getPid());
        assertEquals("e1", started.getExecId());
        e.exited(new ExitRecord(31, 2, Instant.EPOCH), events);
        assertEquals(List.of(TaskEvent.Type.TYPE_EXEC_ADDED, TaskEvent.Type.TYPE_EXEC_STARTED,
                TaskEvent.Type.TYPE_EXIT), types());
        assertTrue(seen.stream().allMatch(ev -> ev.getTask().getExecId().equals("e1")));
        assertEquals("", task.toTask().getExecId());
        assertEquals("exec e1: start", e.step("start"));
        assertTrue(task.removeExec(e));
        assertTrue(task.execs().isEmpty());
    }

    @Test
    void aShimOfUnknownIdentityIsAliveOnlyWhileItsPidRunsThisTasksShim() throws Exception {
        // A stand-in for holdfast-shim serving task t (sh named so, its arguments kept in /proc/PID/cmdline), and a
        // stranger that took over a dead shim's pid (ShimExits would SIGKILL whatever it finds alive after its grace).
        Process shim = new ProcessBuilder("bash", "-c", "exec -a /x/holdfast-shim sh -c 'sleep 60; :' sh --id t")
                .start();
        Process stranger = new ProcessBuilder("sleep", "60").start();
        try {
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (!ProcFs.cmdline(shim.pid()).orElse(List.of("")).getFirst().endsWith("holdfast-shim")) {
                assertTrue(System.nanoTime() < deadline, "bash did not exec the stand-in shim");
                Thread.sleep(10); // waiting for bash's exec, which nothing signals
            }
            assertTrue(adoptedStopped((int) shim.pid()).isShimAlive());
            assertFalse(adoptedStopped((int) stranger.pid()).isShimAlive());
        } finally {
            shim.destroyForcibly().waitFor();
            stranger.destroyForcibly().waitFor();
        }
        assertFalse(adoptedStopped((int) shim.pid()).isShimAlive());
    }

    private static TaskRecord adoptedStopped(int shimPid) {
        return new TaskRecord("t", new TaskDirectory(Path.of("/nonexistent"), "t"),
                new ShimConnection(Path.of("/nonexistent.sock")), null, shimPid, 21, Status.STATUS_STOPPED,
                new ExitRecord(21, 0, Instant.EPOCH));
    }
}
