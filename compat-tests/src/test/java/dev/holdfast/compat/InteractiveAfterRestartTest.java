package dev.holdfast.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Terminal resizes seen by the process inside (the container's own tty and an exec's), and exec/attach/stop after the
 * supervisor or the engine was killed with SIGKILL and started again. One instance for the class (its start and stop
 * took longer than the tests); each test's containers are removed after it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class InteractiveAfterRestartTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String API = "/v1.47";

    @AutoClose
    private final HoldfastDaemon holdfast = HoldfastDaemon.start();
    private final EngineHttp http = new EngineHttp(holdfast.socket());

    @AfterEach
    void removeContainers() {
        holdfast.removeAllContainers().ifPresent(failed -> fail("removing the test's containers: " + failed));
    }

    @Test
    void containerResizeIsSeenOnItsOwnTerminal() {
        holdfast.docker("run", "-dit", "--name", "rz", "busybox", "sh", "-c",
                "while true; do stty size; sleep 0.2; done").assertOk();
        EngineHttp.Response resized = http.post(API + "/containers/rz/resize?h=40&w=100");
        assertEquals(200, resized.status(), resized.toString());
        Await.until(WAIT, () -> holdfast.docker("logs", "rz").out().contains("40 100"),
                "'40 100' from stty size in the container's logs");
        EngineHttp.Response again = http.post(API + "/containers/rz/resize?h=25&w=81");
        assertEquals(200, again.status(), again.toString());
        Await.until(WAIT, () -> holdfast.docker("logs", "rz").out().contains("25 81"),
                "'25 81' from stty size after a second resize");
    }

    @Test
    void execResizeIsSeenOnTheExecsTerminal() {
        holdfast.docker("run", "-d", "--name", "re", "busybox", "sleep", "1000").assertOk();
        String exec = createExec("re", true, "sh", "-c", "while true; do stty size > /tmp/size; sleep 0.2; done");
        EngineHttp.Response started = http.post(API + "/exec/" + exec + "/start", "application/json",
                "{\"Detach\":true,\"Tty\":true}");
        assertEquals(200, started.status(), started.toString());
        Await.until(WAIT, () -> execJson(exec).path("Running").asBoolean(), "the tty exec is running");
        EngineHttp.Response resized = http.post(API + "/exec/" + exec + "/resize?h=33&w=77");
        assertEquals(200, resized.status(), resized.toString());
        Await.until(WAIT, () -> holdfast.docker("exec", "re", "cat", "/tmp/size").out().equals("33 77"),
                "'33 77' from stty size inside the resized exec");
    }

    @Test
    void execRightAfterTheSupervisorWasKilledAndStarted() {
        holdfast.docker("run", "-d", "--name", "cc", "busybox", "sleep", "1000").assertOk();
        long pid = Long.parseLong(holdfast.docker("inspect", "-f", "{{.State.Pid}}", "cc").assertOk().out());

        holdfast.supervisor("kill");
        assertTrue(ProcessHandle.of(pid).isPresent(), "the container outlives its supervisor");
        holdfast.supervisor("start");

        // The first exec after the restart: the supervisor is back, so it has to work at once.
        assertEquals("x", holdfast.docker("exec", "cc", "echo", "x").assertOk().out());
        holdfast.docker("exec", "cc", "sh", "-c", "exit 5").assertExit(5);
        holdfast.docker("exec", "cc", "no-such-command").assertExit(126);
        assertEquals("piped", holdfast.dockerWithInput("piped\n".getBytes(StandardCharsets.UTF_8),
                "exec", "-i", "cc", "cat").assertOk().out());
        assertTrue(holdfast.docker("exec", "-t", "cc", "tty").assertOk().out().startsWith("/dev/pts/"));
    }

    @Test
    void attachRightAfterTheSupervisorWasKilledAndStarted() {
        holdfast.docker("run", "-d", "-i", "--name", "ac", "busybox", "sh", "-c", "read l; echo got $l").assertOk();

        holdfast.supervisor("kill");
        holdfast.supervisor("start");

        // The first call after the restart is the attach itself.
        DockerResult attached = holdfast.dockerWithInput("hello\n".getBytes(StandardCharsets.UTF_8), "attach", "ac");
        assertEquals("got hello", attached.out(), attached.toString());
        assertEquals("0", holdfast.docker("wait", "ac").assertOk().out());
        assertEquals("got hello", holdfast.docker("logs", "ac").assertOk().out());
    }

    @Test
    void stopAndPsAfterTheSupervisorWasKilledAndStarted() {
        holdfast.docker("run", "-d", "--name", "sc", "busybox", "sleep", "1000").assertOk();
        holdfast.docker("run", "-d", "--name", "dc", "busybox", "true").assertOk();
        assertEquals("0", holdfast.docker("wait", "dc").assertOk().out());
        long pid = Long.parseLong(holdfast.docker("inspect", "-f", "{{.State.Pid}}", "sc").assertOk().out());

        holdfast.supervisor("kill");
        holdfast.supervisor("start");

        List<String> up = holdfast.docker("ps", "--format", "{{.Names}}").assertOk().out().lines().toList();
        assertEquals(List.of("sc"), up, "only sc is running");
        // sleep as PID 1 ignores SIGTERM: stop has to kill it.
        holdfast.docker("stop", "-t", "1", "sc").assertOk();
        assertEquals("137", holdfast.docker("inspect", "-f", "{{.State.ExitCode}}", "sc").assertOk().out());
        assertEquals("exited", holdfast.docker("inspect", "-f", "{{.State.Status}}", "sc").assertOk().out());
        assertFalse(ProcessHandle.of(pid).isPresent(), "the container's process is gone");
        assertEquals("", holdfast.docker("ps", "-q").assertOk().out());
        String all = holdfast.docker("ps", "-a", "--format", "{{.Names}} {{.Status}}").assertOk().out();
        assertTrue(all.contains("sc Exited (137)"), all);
        assertTrue(all.contains("dc Exited (0)"), all);
        holdfast.docker("start", "sc").assertOk();
        assertEquals("x", holdfast.docker("exec", "sc", "echo", "x").assertOk().out());
    }

    @Test
    void aTermTrappingContainerStopsWithItsOwnExitCodeAfterTheSupervisorWasKilled() {
        holdfast.docker("run", "-d", "--name", "tc", "busybox", "sh", "-c",
                "trap 'exit 143' TERM; while true; do sleep 0.1; done").assertOk();
        holdfast.supervisor("kill");
        holdfast.supervisor("start");
        holdfast.docker("stop", "-t", "30", "tc").assertOk();
        assertEquals("143", holdfast.docker("inspect", "-f", "{{.State.ExitCode}}", "tc").assertOk().out());
    }

    @Test
    void aRunningExecSurvivesAnEngineKillAndReportsItsExit() {
        holdfast.docker("run", "-d", "--name", "ec", "busybox", "sleep", "1000").assertOk();
        String exec = createExec("ec", false, "sh", "-c", "while [ ! -f /tmp/go ]; do sleep 0.1; done; exit 7");
        EngineHttp.Response started = http.post(API + "/exec/" + exec + "/start", "application/json",
                "{\"Detach\":true}");
        assertEquals(200, started.status(), started.toString());
        JsonNode before = Await.value(WAIT, () -> execJson(exec),
                j -> j.path("Running").asBoolean() && j.path("Pid").asLong() > 0, "the exec runs with a pid");
        long pid = before.path("Pid").asLong();

        holdfast.engine("kill");
        assertTrue(ProcessHandle.of(pid).isPresent(), "the exec outlives the engine");
        holdfast.engine("start");

        JsonNode after = execJson(exec);
        assertTrue(after.path("Running").asBoolean(), after.toString());
        assertEquals(pid, after.path("Pid").asLong(), after.toString());

        holdfast.docker("exec", "ec", "touch", "/tmp/go").assertOk();
        JsonNode ended = Await.value(WAIT, () -> execJson(exec), j -> !j.path("Running").asBoolean(),
                "the exec ends");
        assertEquals(7, ended.path("ExitCode").asInt(), ended.toString());
        assertEquals(pid, ended.path("Pid").asLong(), ended.toString());
    }

    private String createExec(String container, boolean tty, String... cmd) {
        StringBuilder body = new StringBuilder("{\"AttachStdout\":true,\"AttachStderr\":true,\"Tty\":")
                .append(tty).append(",\"Cmd\":[");
        for (int i = 0; i < cmd.length; i++) {
            body.append(i == 0 ? "" : ",");
            try {
                body.append(EngineHttp.JSON.writeValueAsString(cmd[i]));
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }
        body.append("]}");
        EngineHttp.Response created = http.post(API + "/containers/" + container + "/exec", "application/json",
                body.toString());
        assertEquals(201, created.status(), created.toString());
        return created.json().path("Id").asText();
    }

    private JsonNode execJson(String exec) {
        EngineHttp.Response r = http.get(API + "/exec/" + exec + "/json");
        assertEquals(200, r.status(), r.toString());
        return r.json();
    }
}
