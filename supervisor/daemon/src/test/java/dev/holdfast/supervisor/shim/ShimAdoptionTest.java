package dev.holdfast.supervisor.shim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.holdfast.supervisor.api.Status;
import dev.holdfast.supervisor.bundle.ExecDirectory;
import dev.holdfast.supervisor.bundle.ExitRecord;
import dev.holdfast.supervisor.bundle.ProcessDirectory;
import dev.holdfast.supervisor.bundle.TaskDirectory;
import dev.holdfast.supervisor.proc.ProcFs;
import dev.holdfast.supervisor.runc.Runc;
import dev.holdfast.supervisor.runc.TaskRuntimes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Adoption of task directories whose shims are gone (no runc needed: /bin/true stands in for it). */
class ShimAdoptionTest {
    private static final Instant NOW = Instant.parse("2026-11-22T10:00:00Z");

    private static ShimAdoption adoption(Path tasks, Instant now) {
        TaskRuntimes runtimes = new TaskRuntimes(tasks, new Runc(Path.of("/bin/true"), tasks.resolveSibling("runc"),
                Duration.ofSeconds(10)), tasks.resolveSibling("runtimes"), Duration.ofSeconds(10));
        return new ShimAdoption(tasks, (id, execId) -> tasks.resolveSibling(id + execId + ".sock"),
                new LostShims(runtimes, Clock.fixed(now, ZoneOffset.UTC)), runtimes);
    }

    private static Map<String, AdoptedTask> byId(List<AdoptedTask> found) {
        return found.stream().collect(Collectors.toMap(AdoptedTask::id, Function.identity()));
    }

    @Test
    void deadShimsGiveStoppedTasks(@TempDir Path root) throws IOException {
        Path tasks = Files.createDirectories(root.resolve("tasks"));
        ExitRecord exit = new ExitRecord(300, 7, Instant.parse("2026-11-22T09:00:00.5Z"));
        TaskDirectory stopped = new TaskDirectory(tasks, "stopped");
        stopped.create();
        stopped.writeExit(exit);
        Files.writeString(stopped.shimPidFile(), "999999 12345\n");

        TaskDirectory lost = new TaskDirectory(tasks, "lost");
        lost.create();
        lost.writeSpec("{}".getBytes());
        Files.writeString(lost.initPidFile(), "4321");

        // A live process that is not a shim, under shim.pid: never adopted as live.
        TaskDirectory reused = new TaskDirectory(tasks, "reused");
        reused.create();
        long me = ProcessHandle.current().pid();
        Files.writeString(reused.shimPidFile(), me + " " + ProcFs.startTime(me).orElseThrow() + "\n");
        reused.writeExit(exit);

        Files.createDirectories(tasks.resolve(TaskDirectory.REMOVING_PREFIX + "old-1").resolve("x"));
        Files.createDirectories(tasks.resolve("not a task id"));

        Map<String, AdoptedTask> found = byId(adoption(tasks, NOW).scan());
        assertEquals(3, found.size(), found.toString());

        assertEquals(AdoptedTask.stopped("stopped", 999999, exit), found.get("stopped"));
        assertEquals(Status.STATUS_STOPPED, found.get("reused").status());
        assertEquals(exit, found.get("reused").exit());

        AdoptedTask l = found.get("lost");
        assertEquals(Status.STATUS_STOPPED, l.status());
        assertEquals(new ExitRecord(4321, 255, NOW), l.exit());
        assertNull(l.shim());
        assertFalse(l.isLive());
        assertEquals(new ExitRecord(4321, 255, NOW), lost.readExit().orElseThrow(), "recorded for the next boot");
        assertFalse(Files.exists(tasks.resolve(TaskDirectory.REMOVING_PREFIX + "old-1")));
        assertTrue(Files.exists(tasks.resolve("not a task id")), "not ours to remove");

        // Idempotent: a later boot sees the same tasks, the lost one with its first exited_at.
        assertEquals(found, byId(adoption(tasks, NOW.plusSeconds(3600)).scan()));
    }

    @Test
    void noTasksDirectoryIsNoTasks(@TempDir Path root) throws IOException {
        assertEquals(List.of(), adoption(root.resolve("missing"), NOW).scan());
    }

    @Test
    void deadExecShimsGiveStoppedExecs(@TempDir Path root) throws IOException {
        Path tasks = Files.createDirectories(root.resolve("tasks"));
        TaskDirectory task = new TaskDirectory(tasks, "t");
        task.create();
        task.writeExit(new ExitRecord(10, 0, NOW));
        ExitRecord done = new ExitRecord(11, 3, Instant.parse("2026-11-22T09:30:00Z"));
        ExecDirectory exited = task.exec("exited");
        exited.createWithParent();
        exited.writeExit(done);
        ExecDirectory lost = task.exec("lost");
        lost.create();
        Files.writeString(lost.execPidFile(), "12\n");
        Files.createDirectories(task.execsDir().resolve(ProcessDirectory.REMOVING_PREFIX + "old-1"));

        AdoptedTask t = adoption(tasks, NOW).scan().get(0);
        Map<String, AdoptedExec> execs = t.execs().stream()
                .collect(Collectors.toMap(AdoptedExec::execId, Function.identity()));
        assertEquals(2, execs.size(), execs.toString());
        assertEquals(AdoptedExec.stopped("exited", 0, done), execs.get("exited"));
        assertEquals(new ExitRecord(12, 255, NOW), execs.get("lost").exit());
        assertEquals(new ExitRecord(12, 255, NOW), lost.readExit().orElseThrow(), "recorded for the next boot");
        assertFalse(Files.exists(task.execsDir().resolve(ProcessDirectory.REMOVING_PREFIX + "old-1")));
    }
}
