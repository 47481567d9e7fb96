package dev.holdfast.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** pause/unpause, top, stats, resource limits and update, log rotation, wait conditions: the docker CLI against holdfast. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ContainerVerbsTest {

    private static final Duration SHORT = Duration.ofSeconds(20);
    private static final AtomicInteger NAMES = new AtomicInteger();
    /** Prints a line every 50 ms until stopped. */
    private static final String COUNTER = "trap 'exit 0' TERM; i=0; while true; do i=$((i+1)); echo line $i; sleep 0.05; done";

    @AutoClose
    private final HoldfastDaemon holdfast = HoldfastDaemon.start();

    @Test
    void pauseFreezesTheContainerAndUnpauseThawsIt() {
        String name = name("pause");
        docker("run", "-d", "--name", name, "busybox", "sh", "-c", COUNTER).assertOk();
        Await.until(SHORT, () -> lines(name) >= 3, "the counter's first lines");
        docker("pause", name).assertOk();
        assertEquals("paused", docker("inspect", "-f", "{{.State.Status}} {{.State.Paused}}", name).out().split(" ")[0]);
        assertTrue(docker("ps", "--filter", "name=" + name, "--format", "{{.Status}}").out().endsWith("(Paused)"));
        int frozen = lines(name);
        // The time three lines take when running; a paused counter adds none.
        long deadline = System.nanoTime() + Duration.ofMillis(500).toNanos();
        while (System.nanoTime() < deadline) {
            assertEquals(frozen, lines(name), "a paused container wrote output");
        }
        DockerResult again = docker("pause", name);
        assertEquals(1, again.exitCode(), again::toString);
        docker("unpause", name).assertOk();
        Await.until(SHORT, () -> lines(name) > frozen + 3, "the counter after unpause");
        assertEquals("running", docker("inspect", "-f", "{{.State.Status}}", name).out());
        DockerResult notPaused = docker("unpause", name);
        assertTrue(notPaused.stderr().contains("is not paused"), notPaused::toString);
        // --until is whole seconds: the unpause of this very second shows once the second is over.
        Await.value(SHORT, () -> docker("events", "--since", "1h", "--until", "0s", "--filter", "container=" + name,
                "--format", "{{.Action}}").assertOk().stdout(), out -> out.contains("pause\nunpause\n"),
                "pause and unpause events");
        docker("pause", name).assertOk();
        docker("stop", "-t", "5", name).assertOk();
        assertEquals("exited false", docker("inspect", "-f", "{{.State.Status}} {{.State.Paused}}", name).out());
        DockerResult stopped = docker("pause", name);
        assertTrue(stopped.stderr().contains("is not running"), stopped::toString);
        docker("rm", "-f", name).assertOk();
    }

    @Test
    void pauseSurvivesAnEngineRestart() {
        String name = name("pausekeep");
        docker("run", "-d", "--name", name, "busybox", "sleep", "1000").assertOk();
        docker("pause", name).assertOk();
        holdfast.engine("restart");
        assertEquals("paused true", docker("inspect", "-f", "{{.State.Status}} {{.State.Paused}}", name).out());
        docker("unpause", name).assertOk();
        assertEquals("running false", docker("inspect", "-f", "{{.State.Status}} {{.State.Paused}}", name).out());
        docker("rm", "-f", name).assertOk();
    }

    @Test
    void topListsTheContainersProcesses() {
        String name = name("top");
        docker("run", "-d", "--name", name, "busybox", "sh", "-c", "sleep 1000").assertOk();
        DockerResult top = docker("top", name).assertOk();
        assertTrue(top.stdout().startsWith("UID"), top::toString);
        assertTrue(top.stdout().contains("sleep 1000"), top::toString);
        assertTrue(top.stdout().contains("root"), top::toString);
        docker("rm", "-f", name).assertOk();
        docker("create", "--name", name, "busybox").assertOk();
        DockerResult notRunning = docker("top", name);
        assertTrue(notRunning.stderr().contains("is not running"), notRunning::toString);
        docker("rm", "-f", name).assertOk();
    }

    @Test
    void statsNoStreamShowsMemoryAndLimit() {
        String name = name("stats");
        docker("run", "-d", "--name", name, "-m", "64m", "busybox", "sh", "-c", "sleep 1000").assertOk();
        DockerResult stats = docker("stats", "--no-stream", "--format", "{{.Name}} {{.CPUPerc}} {{.MemUsage}}", name).assertOk();
        String[] f = stats.out().split(" ");
        assertEquals(name, f[0], stats::toString);
        assertTrue(f[1].endsWith("%"), stats::toString);
        assertTrue(!stats.out().contains(" 0B /"), stats::toString);
        assertTrue(stats.out().endsWith("64MiB"), stats::toString);
        docker("rm", "-f", name).assertOk();
    }

    @Test
    void limitsReachTheCgroupAndUpdateChangesThem() {
        String name = name("limits");
        docker("run", "-d", "--name", name, "-m", "64m", "--cpus", "0.5", "--pids-limit", "50", "busybox",
                "sleep", "1000").assertOk();
        int pid = Integer.parseInt(docker("inspect", "-f", "{{.State.Pid}}", name).out());
        assertEquals(String.valueOf(64 * 1024 * 1024), ContainerCgroup.read(pid, "memory", "memory.limit_in_bytes"));
        assertEquals("50", ContainerCgroup.read(pid, "pids", "pids.max"));
        assertEquals("50000", ContainerCgroup.read(pid, "cpu", "cpu.cfs_quota_us"));
        docker("update", "-m", "96m", "--memory-swap", "192m", name).assertOk();
        assertEquals(String.valueOf(96 * 1024 * 1024), ContainerCgroup.read(pid, "memory", "memory.limit_in_bytes"));
        assertEquals(String.valueOf(96 * 1024 * 1024), docker("inspect", "-f", "{{.HostConfig.Memory}}", name).out());
        docker("rm", "-f", name).assertOk();
    }

    @Test
    void rotatedLogsReadBackInOrderWithoutGaps() {
        String name = name("rotate");
        docker("run", "--name", name, "--log-opt", "max-size=10k", "--log-opt", "max-file=3", "busybox", "sh", "-c",
                "i=0; while [ $i -lt 3000 ]; do i=$((i+1)); echo line $i; done").assertOk();
        List<String> lines = docker("logs", name).assertOk().stdout().lines().toList();
        assertEquals("line 3000", lines.get(lines.size() - 1));
        assertTrue(lines.size() < 3000, "rotation dropped the oldest lines");
        int first = Integer.parseInt(lines.get(0).substring(5));
        for (int i = 0; i < lines.size(); i++) {
            assertEquals("line " + (first + i), lines.get(i));
        }
        docker("rm", name).assertOk();
    }

    @Test
    void logDriverNoneAttachesButKeepsNothingToRead() {
        String name = name("nolog");
        assertEquals("hi", docker("run", "--name", name, "--log-driver", "none", "busybox", "echo", "hi")
                .assertOk().out());
        assertEquals("", docker("inspect", "-f", "{{.LogPath}}", name).out());
        DockerResult logs = docker("logs", name);
        assertTrue(logs.stderr().contains("configured logging driver does not support reading"), logs::toString);
        docker("rm", name).assertOk();
    }

    @Test
    void unknownLogDriverIsRefused() {
        DockerResult run = docker("run", "--rm", "--log-driver", "nosuch", "busybox", "true");
        assertEquals(125, run.exitCode(), run::toString);
        assertTrue(run.stderr().contains("no log driver named 'nosuch' is registered"), run::toString);
        DockerResult local = docker("run", "--rm", "--log-driver", "local", "busybox", "true");
        assertTrue(local.stderr().contains("log driver \"local\" is not supported by holdfast yet"), local::toString);
    }

    @Test
    void waitConditionsAnswerAtTheRightMoment() {
        // The CLI's wait has no --condition: the API it stands for (docker run --rm uses condition=removed).
        EngineHttp http = new EngineHttp(holdfast.socket());
        String name = name("waitrm");
        docker("run", "-d", "--rm", "--name", name, "busybox", "sh", "-c", "sleep 1; exit 3").assertOk();
        EngineHttp.Response removed = http.post("/v1.47/containers/" + name + "/wait?condition=removed");
        assertEquals(200, removed.status(), removed::toString);
        assertTrue(new String(removed.body()).contains("\"StatusCode\":3"), removed::toString);
        assertEquals("", docker("ps", "-a", "-q", "--filter", "name=" + name).out());

        String stopped = name("waitnr");
        docker("create", "--name", stopped, "busybox", "true").assertOk();
        EngineHttp.Response notRunning = http.post("/v1.47/containers/" + stopped + "/wait?condition=not-running");
        assertEquals(200, notRunning.status(), notRunning::toString);
        assertTrue(new String(notRunning.body()).contains("\"StatusCode\":0"), notRunning::toString);
        docker("rm", stopped).assertOk();

        String next = name("waitnext");
        docker("run", "-d", "--name", next, "busybox", "sh", "-c", "sleep 1; exit 5").assertOk();
        EngineHttp.Response nextExit = http.post("/v1.47/containers/" + next + "/wait?condition=next-exit");
        assertTrue(new String(nextExit.body()).contains("\"StatusCode\":5"), nextExit::toString);
        docker("rm", next).assertOk();
    }

    @Test
    void ctlTasksListsTasksWhileTheEngineIsDown() {
        String name = name("ctl");
        String id = docker("run", "-d", "--name", name, "busybox", "sleep", "1000").assertOk().out();
        holdfast.engine("stop");
        try {
            DockerResult tasks = holdfast.holdfast("ctl", "tasks", "ls").assertOk();
            assertTrue(tasks.stdout().startsWith("ID"), tasks::toString);
            assertTrue(tasks.stdout().contains(id), tasks::toString);
            assertTrue(tasks.stdout().contains("RUNNING"), tasks::toString);
        } finally {
            holdfast.engine("start");
        }
        docker("rm", "-f", name).assertOk();
    }

    // --- helpers ---------------------------------------------------------------------------------------------------

    private int lines(String name) {
        return (int) docker("logs", name).assertOk().stdout().lines().count();
    }

    private DockerResult docker(String... args) {
        return holdfast.docker(args);
    }

    private static String name(String base) {
        return "verbs-" + NAMES.incrementAndGet() + "-" + base;
    }
}
