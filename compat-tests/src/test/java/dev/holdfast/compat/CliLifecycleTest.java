package dev.holdfast.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The docker CLI's everyday commands against holdfast, each checked against what dockerd answers: run (output, exit
 * codes, options), ps, inspect, logs, stop, kill, wait, rm, and the image commands. One holdfast instance for the
 * class; every test uses its own container names.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CliLifecycleTest {

    private static final Duration SHORT = Duration.ofSeconds(20);
    private static final Pattern FULL_ID = Pattern.compile("[0-9a-f]{64}");
    private static final AtomicInteger NAMES = new AtomicInteger();

    /** Keeps running until stopped; exits 0 on TERM (sh as pid 1 ignores TERM without a trap). */
    private static final String[] FOREVER = {"sh", "-c", "trap 'exit 0' TERM; while true; do sleep 0.05; done"};

    @AutoClose
    private final HoldfastDaemon holdfast = HoldfastDaemon.start();

    // --- run -----------------------------------------------------------------------------------------------------

    @Test
    void runInForegroundPassesStdoutAndStderrSeparatelyAndExitsZero() {
        DockerResult run = docker("run", "--rm", "busybox", "sh", "-c", "echo to-out; echo to-err >&2");
        assertEquals(0, run.exitCode(), run::toString);
        assertEquals("to-out\n", run.stdout(), run::toString);
        assertEquals("to-err\n", run.stderr(), run::toString);
    }

    @Test
    void runExitsWithTheContainersExitCode() {
        DockerResult run = docker("run", "--rm", "busybox", "sh", "-c", "echo before; exit 42");
        assertEquals(42, run.exitCode(), run::toString);
        assertEquals("before", run.out(), run::toString);
    }

    @Test
    void runOfAMissingCommandExits127WithTheRuntimesMessage() {
        String name = name("nocmd");
        DockerResult run = docker("run", "--name", name, "busybox", "nosuchcmd");
        assertEquals(127, run.exitCode(), run::toString);
        assertEquals("", run.stdout(), run::toString);
        // dockerd: docker: Error response from daemon: failed to create shim task: OCI runtime create failed: runc
        // create failed: unable to start container process: exec: "nosuchcmd": executable file not found in $PATH:
        // unknown
        assertTrue(run.stderr().contains("docker: Error response from daemon: "), run::toString);
        assertTrue(run.stderr().contains("exec: \"nosuchcmd\": executable file not found in $PATH"), run::toString);
        assertTrue(run.stderr().contains("Run 'docker run --help' for more information"), run::toString);
        // The container stays, Created, with exit code 127 (dockerd: State.Status "created", ExitCode 127).
        JsonNode state = inspect(name).get("State");
        assertEquals("created", state.get("Status").asText(), state::toString);
        assertEquals(127, state.get("ExitCode").asInt(), state::toString);
        assertTrue(state.get("Error").asText().contains("executable file not found"), state::toString);
    }

    /**
     * dockerd's wait (condition next-exit / removed) does not answer when the start fails, so the CLI prints only the
     * start error; an engine whose wait answers at once with an error makes the CLI log a second
     * {@code level=error msg="Error waiting for container: ..."} line.
     */
    @Test
    void aFailedStartIsReportedOnceWithoutAWaitError() {
        DockerResult run = docker("run", "--rm", "busybox", "nosuchcmd");
        assertEquals(127, run.exitCode(), run::toString);
        assertFalse(run.stderr().contains("Error waiting for container"), run::toString);
        String expected = "docker: Error response from daemon: ";
        assertEquals(1, countOf(run.stderr(), expected), run::toString);
    }

    @Test
    void runOfSomethingNotExecutableExits126() {
        DockerResult run = docker("run", "--rm", "busybox", "/etc/passwd");
        assertEquals(126, run.exitCode(), run::toString);
        assertTrue(run.stderr().contains("exec: \"/etc/passwd\": permission denied"), run::toString);
    }

    @Test
    void runWithRmRemovesTheContainerBeforeTheCliReturns() {
        String name = name("rm-fg");
        docker("run", "--rm", "--name", name, "busybox", "true").assertOk();
        // The CLI waits for condition=removed: the container is gone when it returns.
        assertEquals("", psAll("--filter", "name=" + name));
    }

    @Test
    void runWithRmRemovesAFailedContainerToo() {
        String name = name("rm-fail");
        docker("run", "--rm", "--name", name, "busybox", "nosuchcmd").assertExit(127);
        Await.until(SHORT, () -> psAll("--filter", "name=" + name).isEmpty(), name + " removed");
    }

    @Test
    void runDetachedPrintsTheIdAndTheContainerRunsUntilItExits() {
        String name = name("detached");
        DockerResult run = docker("run", "-d", "--rm", "--name", name, "busybox", "sh", "-c",
                "trap 'exit 0' USR1; while true; do sleep 0.05; done").assertOk();
        String id = run.out();
        assertTrue(FULL_ID.matcher(id).matches(), run::toString);
        assertEquals(id.substring(0, 12), psAll("--filter", "name=" + name));
        assertEquals("running", inspect(name).get("State").get("Status").asText());
        docker("kill", "-s", "USR1", name).assertOk();
        // --rm: once it exits the container disappears from `ps -a` (not necessarily before kill returns).
        Await.until(SHORT, () -> psAll("--filter", "id=" + id).isEmpty(), name + " gone after its exit");
        DockerResult gone = docker("inspect", name);
        assertEquals(1, gone.exitCode(), gone::toString);
        assertTrue(gone.stderr().contains("No such object: " + name), gone::toString);
    }

    @Test
    void runAppliesNameEnvWorkdirHostnameAndLabels() {
        String name = name("opts");
        DockerResult run = docker("run", "--name", name, "-e", "FOO=bar", "-e", "SPACED=a b c", "-w", "/tmp",
                "-h", "compat-host", "-l", "compat.role=opts", "-l", "compat.empty=", "busybox",
                "sh", "-c", "echo \"$FOO|$SPACED|$(pwd)|$(hostname)|$HOME\"").assertOk();
        assertEquals("bar|a b c|/tmp|compat-host|/root", run.out(), run::toString);
        JsonNode c = inspect(name);
        assertEquals("/" + name, c.get("Name").asText());
        assertEquals("compat-host", c.get("Config").get("Hostname").asText());
        assertEquals("/tmp", c.get("Config").get("WorkingDir").asText());
        assertEquals("opts", c.get("Config").get("Labels").get("compat.role").asText());
        assertEquals("", c.get("Config").get("Labels").get("compat.empty").asText());
        List<String> env = strings(c.get("Config").get("Env"));
        assertTrue(env.contains("FOO=bar"), env::toString);
        assertTrue(env.contains("SPACED=a b c"), env::toString);
        assertTrue(env.stream().anyMatch(e -> e.startsWith("PATH=")), () -> "the image's PATH is kept: " + env);
        docker("rm", name).assertOk();
    }

    @Test
    void runCreatesAMissingWorkdir() {
        assertEquals("/does/not/exist/yet", docker("run", "--rm", "-w", "/does/not/exist/yet", "busybox", "pwd")
                .assertOk().out());
    }

    @Test
    void runAsUserByUidAndByName() {
        assertEquals("65534 65534 nobody", docker("run", "--rm", "-u", "65534", "busybox",
                "sh", "-c", "echo $(id -u) $(id -g) $(id -un)").assertOk().out());
        assertEquals("65534 65534 nobody /home", docker("run", "--rm", "-u", "nobody", "busybox",
                "sh", "-c", "echo $(id -u) $(id -g) $(id -un) $HOME").assertOk().out());
        assertEquals("1000 1000", docker("run", "--rm", "-u", "1000:1000", "busybox",
                "sh", "-c", "echo $(id -u) $(id -g)").assertOk().out());
    }

    /**
     * dockerd gives the process its primary group as a supplementary group too ({@code id} shows
     * {@code groups=65534(nogroup)}; /proc/self/status {@code Groups: 65534}).
     */
    @Test
    void runAsUserHasThePrimaryGroupAmongItsSupplementaryGroups() {
        assertEquals("65534", groups("-u", "nobody"));
        assertEquals("0", groups());
        assertEquals("1000", groups("-u", "1000:1000"));
        assertEquals("uid=65534(nobody) gid=65534(nogroup) groups=65534(nogroup)",
                docker("run", "--rm", "-u", "nobody", "busybox", "id").assertOk().out());
    }

    @Test
    void runAsAnUnknownUserFailsWithDockersMessage() {
        DockerResult run = docker("run", "--rm", "-u", "nosuchuser", "busybox", "id");
        assertEquals(125, run.exitCode(), run::toString);
        assertTrue(run.stderr().contains(
                "unable to find user nosuchuser: no matching entries in passwd file"), run::toString);
    }

    @Test
    void entrypointReplacesTheCommandAndTakesTheArguments() {
        assertEquals("hi there", docker("run", "--rm", "--entrypoint", "echo", "busybox", "hi", "there")
                .assertOk().out());
        String name = name("entry");
        docker("run", "--name", name, "--entrypoint", "/bin/sh", "busybox", "-c", "exit 5").assertExit(5);
        JsonNode config = inspect(name).get("Config");
        assertEquals(List.of("/bin/sh"), strings(config.get("Entrypoint")));
        assertEquals(List.of("-c", "exit 5"), strings(config.get("Cmd")));
        docker("rm", name).assertOk();
    }

    // --- ps --------------------------------------------------------------------------------------------------------

    @Test
    void psShowsDockersColumns() {
        String name = name("cols");
        String id = docker("run", "-d", "--name", name, "busybox", "sleep", "300").assertOk().out();
        DockerResult ps = docker("ps", "--filter", "id=" + id).assertOk();
        List<String> lines = ps.stdout().lines().toList();
        assertEquals(2, lines.size(), ps::toString);
        String header = lines.get(0);
        List<String> columns = List.of("CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS", "PORTS", "NAMES");
        assertEquals(columns, Arrays.asList(header.trim().split(" {2,}")), ps::toString);
        Map<String, String> row = columns(header, lines.get(1), columns);
        assertEquals(id.substring(0, 12), row.get("CONTAINER ID"));
        assertEquals("busybox", row.get("IMAGE"));
        assertEquals("\"sleep 300\"", row.get("COMMAND"));
        assertTrue(row.get("CREATED").endsWith("ago"), row::toString);
        assertTrue(row.get("STATUS").startsWith("Up "), row::toString);
        assertEquals("", row.get("PORTS"));
        assertEquals(name, row.get("NAMES"));
        docker("rm", "-f", name).assertOk();
        DockerResult exited = docker("run", "--name", name, "busybox", "sh", "-c", "exit 3");
        assertEquals(3, exited.exitCode());
        DockerResult all = docker("ps", "-a", "--filter", "name=" + name, "--format", "{{.Status}}")
                .assertOk();
        assertTrue(all.out().matches("Exited \\(3\\) .* ago"), all::toString);
        docker("rm", name).assertOk();
    }

    @Test
    void psListsRunningByDefaultAllWithAAndFilters() {
        String run = "compat.run=" + name("ps");
        String upName = name("ps-up");
        String exitedName = name("ps-exited");
        String createdName = name("ps-created");
        String up = docker("run", "-d", "--name", upName, "-l", run, "-l", "role=web", "busybox", FOREVER)
                .assertOk().out();
        docker("run", "--name", exitedName, "-l", run, "-l", "role=db", "busybox", "true").assertOk();
        String exited = idOf(exitedName);
        String created = docker("create", "--name", createdName, "-l", run, "busybox", "true").assertOk().out();

        // Newest first, short ids, running only without -a.
        assertEquals(List.of(shortId(created), shortId(exited), shortId(up)),
                lines(docker("ps", "-a", "-q", "--filter", "label=" + run)));
        assertEquals(List.of(shortId(up)), lines(docker("ps", "-q", "--filter", "label=" + run)));
        assertEquals(List.of(created, exited, up),
                lines(docker("ps", "-a", "-q", "--no-trunc", "--filter", "label=" + run)));

        assertEquals(List.of(shortId(exited)),
                lines(docker("ps", "-aq", "--filter", "label=" + run, "--filter", "status=exited")));
        assertEquals(List.of(shortId(created)),
                lines(docker("ps", "-aq", "--filter", "label=" + run, "--filter", "status=created")));
        assertEquals(List.of(shortId(up)),
                lines(docker("ps", "-aq", "--filter", "label=" + run, "--filter", "status=running")));
        assertEquals(List.of(shortId(exited)),
                lines(docker("ps", "-aq", "--filter", "label=" + run, "--filter", "label=role=db")));
        assertEquals(List.of(shortId(exited), shortId(up)),
                lines(docker("ps", "-aq", "--filter", "label=" + run, "--filter", "label=role")));
        assertEquals(List.of(shortId(up)), lines(docker("ps", "-aq", "--filter", "name=" + upName)));
        // The name filter is a regular expression matched against the name with and without its slash.
        assertEquals(List.of(shortId(up)), lines(docker("ps", "-aq", "--filter", "name=^/" + upName + "$")));
        assertEquals(List.of(shortId(up)), lines(docker("ps", "-aq", "--filter", "name=^" + upName + "$")));
        assertEquals(List.of(shortId(exited)),
                lines(docker("ps", "-aq", "--filter", "id=" + exited.substring(0, 16))));
        assertEquals(List.of(), lines(docker("ps", "-aq", "--filter", "label=" + run + "-nobody")));
        assertEquals(List.of(exitedName + " exited"), lines(docker("ps", "-a", "--filter", "id=" + exited,
                "--format", "{{.Names}} {{.State}}")));

        DockerResult bad = docker("ps", "-a", "--filter", "status=bogus");
        assertEquals(1, bad.exitCode(), bad::toString);
        assertTrue(bad.stderr().toLowerCase().contains("invalid filter 'status=bogus'"), bad::toString);

        docker("rm", "-f", upName, exitedName, createdName).assertOk();
    }

    // --- inspect ---------------------------------------------------------------------------------------------------

    @Test
    void inspectShowsStatePidEnvNameAndRestartCount() throws IOException {
        String name = name("inspect");
        String id = docker("run", "-d", "--name", name, "-e", "FOO=bar", "busybox", FOREVER).assertOk().out();
        JsonNode c = inspect(name);
        assertEquals(id, c.get("Id").asText());
        assertEquals("/" + name, c.get("Name").asText());
        assertEquals(0, c.get("RestartCount").asInt());
        assertEquals("busybox", c.get("Config").get("Image").asText());
        assertTrue(c.get("Image").asText().startsWith("sha256:"), c::toString);
        assertTrue(strings(c.get("Config").get("Env")).contains("FOO=bar"), c::toString);
        JsonNode state = c.get("State");
        assertTrue(state.get("Running").asBoolean(), state::toString);
        assertEquals("running", state.get("Status").asText());
        long pid = state.get("Pid").asLong();
        assertTrue(pid > 0, state::toString);
        // The pid is a real host process running the container's command.
        String cmdline = Files.readString(Path.of("/proc", Long.toString(pid), "cmdline")).replace('\0', ' ');
        assertTrue(cmdline.startsWith("sh -c trap"), cmdline);
        Instant started = Instant.parse(state.get("StartedAt").asText());
        assertTrue(started.isAfter(Instant.parse(c.get("Created").asText()).minusSeconds(1)), state::toString);

        assertEquals("true " + pid + " /" + name + " 0",
                docker("inspect", "-f", "{{.State.Running}} {{.State.Pid}} {{.Name}} {{.RestartCount}}", name)
                        .assertOk().out());

        docker("stop", name).assertOk();
        JsonNode stopped = inspect(name).get("State");
        assertFalse(stopped.get("Running").asBoolean(), stopped::toString);
        assertEquals("exited", stopped.get("Status").asText());
        assertEquals(0, stopped.get("Pid").asLong(), stopped::toString);
        assertEquals(0, stopped.get("ExitCode").asInt(), stopped::toString);
        assertFalse(Instant.parse(stopped.get("FinishedAt").asText()).isBefore(started), stopped::toString);
        assertFalse(isContainerInit(pid), () -> "pid " + pid + " still runs the container after stop");
        docker("rm", name).assertOk();
    }

    @Test
    void restartCountCountsTheRestartsOfTheRestartPolicy() {
        String name = name("restarts");
        docker("run", "-d", "--name", name, "--restart", "on-failure:2", "busybox", "sh", "-c", "echo run; exit 1")
                .assertOk();
        String format = "{{.RestartCount}} {{.State.Status}} {{.State.ExitCode}}";
        Await.until(Duration.ofSeconds(30), () -> docker("inspect", "-f", format, name).out().equals("2 exited 1"),
                "two restarts, then exited with 1");
        assertEquals("on-failure 2", docker("inspect", "-f",
                "{{.HostConfig.RestartPolicy.Name}} {{.HostConfig.RestartPolicy.MaximumRetryCount}}", name)
                .assertOk().out());
        assertEquals("run\nrun\nrun\n", docker("logs", name).assertOk().stdout(), "one log, three runs");
        docker("rm", name).assertOk();
    }

    // --- logs ------------------------------------------------------------------------------------------------------

    /**
     * {@code docker logs -f} of a container that exits right after its start ends with the output: the follow learns of
     * the end from the run it saw, even when the exit is being recorded (a network teardown takes a while) while the
     * request arrives.
     */
    @Test
    void logsFollowOfAContainerThatExitsAtOnceEnds() {
        for (int i = 0; i < 10; i++) {
            String id = docker("create", "busybox", "echo", "said " + i).assertOk().stdout().strip();
            docker("start", id).assertOk();
            assertEquals("said " + i + "\n", holdfast.docker(Duration.ofSeconds(20), "logs", "-f", id).assertOk()
                    .stdout(), "docker logs -f returns once the container has exited");
            docker("rm", id).assertOk();
        }
    }

    @Test
    void logsKeepStdoutAndStderrApart() {
        String name = name("logs-split");
        docker("run", "--name", name, "busybox", "sh", "-c",
                "for i in 1 2 3; do echo out$i; echo err$i >&2; done").assertOk();
        DockerResult logs = docker("logs", name).assertOk();
        assertEquals("out1\nout2\nout3\n", logs.stdout(), logs::toString);
        assertEquals("err1\nerr2\nerr3\n", logs.stderr(), logs::toString);
        docker("rm", name).assertOk();
    }

    @Test
    void logsGiveBackLongLinesWholeAndALastLineWithoutNewline() {
        String name = name("logs-long");
        String script = "head -c 40000 /dev/zero | tr '\\0' a; echo; printf no-newline";
        String expected = "a".repeat(40000) + "\nno-newline";
        assertEquals(expected, docker("run", "--name", name, "busybox", "sh", "-c", script).assertOk().stdout());
        // The log stores 16 KiB pieces; docker logs joins them again.
        assertEquals(expected, docker("logs", name).assertOk().stdout());
        docker("rm", name).assertOk();
    }

    @Test
    void logsTailTimestampsAndSince() {
        String name = name("logs");
        docker("run", "-d", "--name", name, "busybox", "sh", "-c",
                "trap 'echo late; exit 0' USR1; for i in 1 2 3 4 5; do echo early$i; done; "
                        + "while true; do sleep 0.05; done").assertOk();
        Await.until(SHORT, () -> docker("logs", name).stdout().contains("early5"), "early lines logged");
        Instant between = Instant.now();

        assertEquals("early4\nearly5\n", docker("logs", "--tail", "2", name).assertOk().stdout());
        assertEquals("", docker("logs", "--tail", "0", name).assertOk().stdout());
        assertEquals(5, docker("logs", "--tail", "all", name).assertOk().stdout().lines().count());

        DockerResult stamped = docker("logs", "-t", "--tail", "1", name).assertOk();
        String line = stamped.out();
        assertTrue(line.matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{1,9}Z early5"), stamped::toString);
        Instant stamp = Instant.parse(line.substring(0, line.indexOf(' ')));
        assertFalse(stamp.isAfter(between), () -> stamp + " is after " + between);
        assertTrue(stamp.isAfter(between.minusSeconds(30)), () -> stamp + " is long before " + between);

        docker("kill", "-s", "USR1", name).assertOk();
        assertEquals("0", docker("wait", name).assertOk().out());
        String since = DateTimeFormatter.ISO_INSTANT.format(between);
        assertEquals("late\n", docker("logs", "--since", since, name).assertOk().stdout());
        assertEquals(6, docker("logs", "--since", "2000-01-01T00:00:00Z", name).assertOk().stdout().lines().count());
        assertEquals("", docker("logs", "--since", "2100-01-01T00:00:00Z", name).assertOk().stdout());
        docker("rm", name).assertOk();
    }

    @Test
    void logsFollowStreamsUntilTheContainerExits() {
        String name = name("follow");
        docker("run", "-d", "--name", name, "busybox", "sh", "-c",
                "trap 'echo bye; exit 3' USR1; echo ready; while true; do sleep 0.05; done").assertOk();
        try (BackgroundDocker follow = BackgroundDocker.start(holdfast, "logs", "-f", name)) {
            Await.until(SHORT, () -> follow.stdout().contains("ready\n"), "logs -f shows ready: " + follow);
            assertTrue(follow.isAlive(), follow::toString);
            docker("kill", "-s", "USR1", name).assertOk();
            DockerResult followed = follow.awaitExit(SHORT);
            assertEquals(0, followed.exitCode(), followed::toString);
            assertEquals("ready\nbye\n", followed.stdout(), followed::toString);
        }
        assertEquals("3", docker("wait", name).assertOk().out());
        // Following an exited container prints what there is and ends at once.
        assertEquals("ready\nbye\n", docker("logs", "-f", name).assertOk().stdout());
        docker("rm", name).assertOk();
    }

    // --- stop, kill, wait, rm -----------------------------------------------------------------------------------

    @Test
    void stopSendsTermAndATrappingContainerExitsWithItsCode() {
        String name = name("stop-trap");
        docker("run", "-d", "--name", name, "busybox", "sh", "-c",
                "trap 'echo got TERM; exit 7' TERM; echo ready; while true; do sleep 0.05; done").assertOk();
        Await.until(SHORT, () -> docker("logs", name).stdout().contains("ready"), "trap installed");
        long start = System.nanoTime();
        DockerResult stop = docker("stop", "-t", "10", name).assertOk();
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertEquals(name, stop.out());
        assertTrue(took.compareTo(Duration.ofSeconds(8)) < 0, () -> "stop took " + took + " although TERM was handled");
        assertEquals("7", docker("wait", name).assertOk().out());
        assertEquals("ready\ngot TERM\n", docker("logs", name).assertOk().stdout());
        assertEquals("7 exited", docker("inspect", "-f", "{{.State.ExitCode}} {{.State.Status}}", name)
                .assertOk().out());
        docker("rm", name).assertOk();
    }

    @Test
    void stopKillsAContainerIgnoringTermAfterTheTimeout() {
        String name = name("stop-ignore");
        docker("run", "-d", "--name", name, "busybox", "sh", "-c",
                "trap '' TERM; echo ready; while true; do sleep 0.05; done").assertOk();
        Await.until(SHORT, () -> docker("logs", name).stdout().contains("ready"), "trap installed");
        long start = System.nanoTime();
        docker("stop", "-t", "2", name).assertOk();
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertTrue(took.compareTo(Duration.ofMillis(1900)) >= 0, () -> "stop -t 2 killed after only " + took);
        assertTrue(took.compareTo(Duration.ofSeconds(12)) < 0, () -> "stop -t 2 took " + took);
        assertEquals("137", docker("wait", name).assertOk().out());
        assertEquals("137 exited false", docker("inspect", "-f",
                "{{.State.ExitCode}} {{.State.Status}} {{.State.Running}}", name).assertOk().out());
        docker("rm", name).assertOk();
    }

    @Test
    void killDeliversTheSignalAndDefaultsToKill() {
        String name = name("kill");
        docker("run", "-d", "--name", name, "busybox", "sh", "-c",
                "trap 'echo got USR1' USR1; echo ready; while true; do sleep 0.05; done").assertOk();
        Await.until(SHORT, () -> docker("logs", name).stdout().contains("ready"), "trap installed");
        assertEquals(name, docker("kill", "-s", "USR1", name).assertOk().out());
        Await.until(SHORT, () -> docker("logs", name).stdout().contains("got USR1"), "USR1 trap ran");
        assertEquals("true", docker("inspect", "-f", "{{.State.Running}}", name).assertOk().out());
        docker("kill", "-s", "SIGUSR1", name).assertOk();
        Await.until(SHORT, () -> docker("logs", name).stdout().equals("ready\ngot USR1\ngot USR1\n"),
                "SIGUSR1 spelled with its prefix");

        DockerResult bogus = docker("kill", "-s", "BOGUS", name);
        assertEquals(1, bogus.exitCode(), bogus::toString);
        assertTrue(bogus.stderr().contains("Invalid signal: BOGUS"), bogus::toString);

        docker("kill", name).assertOk();
        assertEquals("137", docker("wait", name).assertOk().out());
        DockerResult again = docker("kill", name);
        assertEquals(1, again.exitCode(), again::toString);
        assertTrue(again.stderr().contains("is not running"), again::toString);
        docker("rm", name).assertOk();
    }

    @Test
    void waitPrintsTheExitCode() {
        String name = name("wait");
        docker("run", "-d", "--name", name, "busybox", "sh", "-c",
                "trap 'exit 9' USR1; while true; do sleep 0.05; done").assertOk();
        try (BackgroundDocker wait = BackgroundDocker.start(holdfast, "wait", name)) {
            assertEquals("true", docker("inspect", "-f", "{{.State.Running}}", name).assertOk().out());
            assertTrue(wait.isAlive(), wait::toString);
            docker("kill", "-s", "USR1", name).assertOk();
            DockerResult waited = wait.awaitExit(SHORT);
            assertEquals(0, waited.exitCode(), waited::toString);
            assertEquals("9\n", waited.stdout(), waited::toString);
        }
        assertEquals("9", docker("wait", name).assertOk().out());
        DockerResult missing = docker("wait", name("never-created"));
        assertEquals(1, missing.exitCode(), missing::toString);
        assertTrue(missing.stderr().contains("No such container: "), missing::toString);
        docker("rm", name).assertOk();
    }

    @Test
    void rmRefusesARunningContainerWithoutForce() {
        String name = name("rm-running");
        String id = docker("run", "-d", "--name", name, "busybox", FOREVER).assertOk().out();
        DockerResult rm = docker("rm", name);
        assertEquals(1, rm.exitCode(), rm::toString);
        assertEquals("Error response from daemon: You cannot remove a running container " + id + ". Stop the "
                + "container before attempting removal or force remove\n", rm.stderr(), rm::toString);
        EngineHttp.Response raw = new EngineHttp(holdfast.socket()).delete("/v1.47/containers/" + name);
        assertEquals(409, raw.status(), raw::toString);
        assertTrue(raw.message().contains("You cannot remove a running container"), raw::toString);
        assertEquals("true", docker("inspect", "-f", "{{.State.Running}}", name).assertOk().out());

        long pid = Long.parseLong(docker("inspect", "-f", "{{.State.Pid}}", name).assertOk().out());
        assertEquals(name, docker("rm", "-f", name).assertOk().out());
        assertEquals("", psAll("--filter", "id=" + id));
        Await.until(SHORT, () -> !isContainerInit(pid), "pid " + pid + " gone after rm -f");
        DockerResult missing = docker("rm", name);
        assertEquals(1, missing.exitCode(), missing::toString);
        assertEquals("Error response from daemon: No such container: " + name + "\n", missing.stderr());
    }

    // --- images ----------------------------------------------------------------------------------------------------

    @Test
    void imagesTagAndRmi() {
        String busyboxId = docker("image", "inspect", "-f", "{{.Id}}", "busybox").assertOk().out();
        assertTrue(busyboxId.matches("sha256:[0-9a-f]{64}"), busyboxId);
        List<String> images = lines(docker("images", "--format", "{{.Repository}}:{{.Tag}} {{.ID}}"));
        assertTrue(images.contains("busybox:latest " + busyboxId.substring(7, 19)), images::toString);
        DockerResult table = docker("images", "busybox").assertOk();
        assertEquals(List.of("REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE"),
                Arrays.asList(table.stdout().lines().findFirst().orElseThrow().trim().split(" {2,}")),
                table::toString);

        // A container uses busybox: untagging one of several tags is still allowed (dockerd refuses only the last).
        String user = name("busybox-user");
        docker("create", "--name", user, "busybox", "true").assertOk();
        String tag = "compat/tagged:v" + NAMES.incrementAndGet();
        docker("tag", "busybox:latest", tag).assertOk();
        assertEquals(busyboxId, docker("image", "inspect", "-f", "{{.Id}}", tag).assertOk().out());
        String repoTags = docker("image", "inspect", "-f", "{{json .RepoTags}}", busyboxId).assertOk().out();
        assertTrue(repoTags.contains("\"" + tag + "\"") && repoTags.contains("\"busybox:latest\""), repoTags);
        assertEquals(List.of(tag + " " + busyboxId.substring(7, 19)),
                lines(docker("images", tag.substring(0, tag.indexOf(':')), "--format",
                        "{{.Repository}}:{{.Tag}} {{.ID}}")));

        assertEquals("Untagged: " + tag, docker("rmi", tag).assertOk().out());
        assertEquals(busyboxId, docker("image", "inspect", "-f", "{{.Id}}", "busybox").assertOk().out());
        DockerResult gone = docker("rmi", tag);
        assertEquals(1, gone.exitCode(), gone::toString);
        assertEquals("Error response from daemon: No such image: " + tag + "\n", gone.stderr());
        docker("rm", user).assertOk();
    }

    @Test
    void importBuildsAnImageFromARootfsTar() throws IOException {
        Path busybox = Path.of("/bin/busybox");
        assertTrue(Files.isExecutable(busybox), "/bin/busybox (busybox-static) is needed to build a rootfs");
        byte[] rootfs = new TarWriter()
                .directory("bin")
                .file("bin/busybox", Files.readAllBytes(busybox), 0755)
                .symlink("bin/sh", "busybox")
                .directory("etc")
                .file("etc/hello.txt", "hello from import\n")
                .toByteArray();
        Path tar = Files.createTempFile("compat-rootfs", ".tar");
        try {
            Files.write(tar, rootfs);
            String ref = "compat/imported:" + NAMES.incrementAndGet();
            DockerResult imported = docker("import", "-c", "CMD [\"/bin/busybox\", \"cat\", \"/etc/hello.txt\"]",
                    tar.toString(), ref).assertOk();
            String id = imported.out();
            assertTrue(id.matches("sha256:[0-9a-f]{64}"), imported::toString);
            JsonNode image = EngineHttp.JSON.readTree(docker("image", "inspect", ref).assertOk().stdout()).get(0);
            assertEquals(id, image.get("Id").asText());
            assertEquals(List.of(ref), strings(image.get("RepoTags")));
            assertEquals("linux", image.get("Os").asText());
            assertTrue(image.get("Size").asLong() >= Files.size(busybox), image::toString);
            assertEquals(List.of("/bin/busybox", "cat", "/etc/hello.txt"), strings(image.get("Config").get("Cmd")));

            assertEquals("hello from import", docker("run", "--rm", ref).assertOk().out());
            assertEquals("from the tiny image",
                    docker("run", "--rm", ref, "/bin/sh", "-c", "echo from the tiny image").assertOk().out());

            // In use by a container: Docker's conflict; then removable.
            String name = name("imported-user");
            String cid = docker("create", "--name", name, ref).assertOk().out();
            DockerResult conflict = docker("rmi", ref);
            assertEquals(1, conflict.exitCode(), conflict::toString);
            assertEquals("Error response from daemon: conflict: unable to remove repository reference \"" + ref
                    + "\" (must force) - container " + cid.substring(0, 12) + " is using its referenced image "
                    + id.substring(7, 19) + "\n", conflict.stderr());
            docker("rm", name).assertOk();
            DockerResult rmi = docker("rmi", ref).assertOk();
            assertEquals(List.of("Untagged: " + ref, "Deleted: " + id), lines(rmi).subList(0, 2), rmi::toString);
            assertEquals(1, docker("image", "inspect", id).exitCode());
        } finally {
            Files.deleteIfExists(tar);
        }
    }

    @Test
    void loadedImageIdIsTheSha256OfItsConfig() throws IOException {
        byte[] layer = new TarWriter()
                .directory("bin")
                .file("bin/busybox", Files.readAllBytes(Path.of("/bin/busybox")), 0755)
                .toByteArray();
        String ref = "compat/loaded:" + NAMES.incrementAndGet();
        TarWriter.SavedImage saved = TarWriter.savedImage(ref, layer, List.of("/bin/busybox", "echo", "from load"));
        DockerResult load = holdfast.dockerWithInput(saved.archive(), "load").assertOk();
        assertEquals("Loaded image: " + ref, load.out(), load::toString);
        assertEquals(saved.id(), docker("image", "inspect", "-f", "{{.Id}}", ref).assertOk().out());
        assertEquals("2024-01-02T03:04:05Z", docker("image", "inspect", "-f", "{{.Created}}", ref).assertOk().out());
        assertEquals("from load", docker("run", "--rm", ref).assertOk().out());
        docker("rmi", ref).assertOk();
    }

    // --- version, info ---------------------------------------------------------------------------------------------

    @Test
    void versionNegotiatesAnApiVersionAndDescribesTheServer() throws IOException {
        JsonNode version = EngineHttp.JSON.readTree(docker("version", "--format", "{{json .}}").assertOk().stdout());
        JsonNode server = version.get("Server");
        assertTrue(server != null && server.isObject(), version::toString);
        String api = server.get("ApiVersion").asText();
        assertTrue(api.matches("1\\.\\d+"), server::toString);
        assertTrue(minor(api) >= 44, () -> "API " + api + " is older than Docker 25's");
        assertEquals(api, version.get("Client").get("ApiVersion").asText(), "the CLI negotiates down to the server");
        assertTrue(minor(server.get("MinAPIVersion").asText()) <= 24, server::toString);
        assertEquals("linux", server.get("Os").asText());
        assertEquals(goArch(), server.get("Arch").asText());
        assertFalse(server.get("Version").asText().isBlank(), server::toString);
        assertFalse(server.get("KernelVersion").asText().isBlank(), server::toString);
        assertTrue(server.get("Components").isArray() && server.get("Components").size() >= 1, server::toString);
        assertEquals("Engine", server.get("Components").get(0).get("Name").asText());
    }

    @Test
    void infoCountsContainersAndImagesAndDescribesTheHost() throws IOException {
        String name = name("info");
        docker("run", "-d", "--name", name, "busybox", FOREVER).assertOk();
        JsonNode info = EngineHttp.JSON.readTree(docker("info", "--format", "{{json .}}").assertOk().stdout());
        int all = lines(docker("ps", "-aq")).size();
        int running = lines(docker("ps", "-q")).size();
        long images = lines(docker("images", "-q", "--no-trunc")).stream().distinct().count(); // a line per tag
        assertEquals(all, info.get("Containers").asInt(), info::toString);
        assertEquals(running, info.get("ContainersRunning").asInt(), info::toString);
        assertEquals(all, info.get("ContainersRunning").asInt() + info.get("ContainersPaused").asInt()
                + info.get("ContainersStopped").asInt(), info::toString);
        assertEquals(images, info.get("Images").asLong(), info::toString);
        assertEquals("linux", info.get("OSType").asText());
        assertTrue(info.get("NCPU").asInt() >= 1, info::toString);
        assertTrue(info.get("MemTotal").asLong() > 64L << 20, info::toString);
        assertEquals(holdfast.dataDir().toString(), info.get("DockerRootDir").asText());
        assertEquals("json-file", info.get("LoggingDriver").asText());
        assertFalse(info.get("ServerVersion").asText().isBlank(), info::toString);
        assertFalse(info.get("ID").asText().isBlank(), info::toString);
        assertFalse(info.get("Name").asText().isBlank(), info::toString);
        assertFalse(info.get("Driver").asText().isBlank(), info::toString);
        assertFalse(info.get("KernelVersion").asText().isBlank(), info::toString);
        assertEquals("runc", info.get("DefaultRuntime").asText(), info::toString);
        docker("rm", "-f", name).assertOk();
    }

    // --- helpers ---------------------------------------------------------------------------------------------------

    private DockerResult docker(String... args) {
        return holdfast.docker(args);
    }

    /** docker with arguments given as strings and string arrays (a command such as {@link #FOREVER}). */
    private DockerResult docker(Object... parts) {
        List<String> all = new ArrayList<>();
        for (Object part : parts) {
            if (part instanceof String[] many) {
                all.addAll(Arrays.asList(many));
            } else {
                all.add((String) part);
            }
        }
        return holdfast.docker(all.toArray(String[]::new));
    }

    private static String name(String base) {
        // The counter first: "compat-3-x" is no substring of "compat-30-x", so unanchored name filters stay exact.
        return "compat-" + NAMES.incrementAndGet() + "-" + base;
    }

    /** {@code docker ps -a -q ARGS}, trimmed. */
    private String psAll(String... args) {
        List<String> all = new ArrayList<>(List.of("ps", "-a", "-q"));
        all.addAll(Arrays.asList(args));
        return docker(all.toArray(String[]::new)).assertOk().out();
    }

    private JsonNode inspect(String name) {
        DockerResult result = docker("inspect", name).assertOk();
        try {
            JsonNode array = EngineHttp.JSON.readTree(result.stdout());
            assertEquals(1, array.size(), result::toString);
            return array.get(0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private String idOf(String name) {
        return docker("inspect", "-f", "{{.Id}}", name).assertOk().out();
    }

    private static String shortId(String id) {
        assertTrue(FULL_ID.matcher(id).matches(), id);
        return id.substring(0, 12);
    }

    private static List<String> lines(DockerResult result) {
        return result.assertOk().stdout().lines().map(String::trim).filter(l -> !l.isEmpty()).toList();
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        if (array != null && array.isArray()) {
            array.forEach(n -> out.add(n.asText()));
        }
        return out;
    }

    /** The supplementary groups of a busybox process run with {@code options} (/proc/self/status "Groups:"). */
    private String groups(String... options) {
        List<String> args = new ArrayList<>(List.of("run", "--rm"));
        args.addAll(Arrays.asList(options));
        args.addAll(List.of("busybox", "sh", "-c", "grep '^Groups:' /proc/self/status"));
        String line = docker(args.toArray(String[]::new)).assertOk().out();
        return line.substring("Groups:".length()).trim();
    }

    /** Cuts a table row into the header's columns (docker aligns them with a tabwriter). */
    private static Map<String, String> columns(String header, String row, List<String> names) {
        Map<String, String> out = new LinkedHashMap<>();
        for (int i = 0; i < names.size(); i++) {
            int from = header.indexOf(names.get(i));
            int to = i + 1 < names.size() ? header.indexOf(names.get(i + 1)) : Integer.MAX_VALUE;
            out.put(names.get(i), from >= row.length() ? "" : row.substring(from, Math.min(to, row.length())).trim());
        }
        return out;
    }

    private static boolean isContainerInit(long pid) {
        try {
            return Files.readString(Path.of("/proc", Long.toString(pid), "cmdline"), StandardCharsets.UTF_8)
                    .startsWith("sh\0-c\0trap");
        } catch (IOException gone) {
            return false;
        }
    }

    private static int countOf(String text, String part) {
        int count = 0;
        for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + 1)) {
            count++;
        }
        return count;
    }

    private static int minor(String api) {
        return Integer.parseInt(api.substring(api.indexOf('.') + 1));
    }

    private static String goArch() {
        String arch = System.getProperty("os.arch");
        return switch (arch) {
            case "amd64", "x86_64" -> "amd64";
            case "aarch64" -> "arm64";
            default -> arch;
        };
    }

}
