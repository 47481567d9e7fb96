package dev.holdfast.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** rename, restart, container prune, update --restart, exec -it and the run's signal proxy: the docker CLI against holdfast. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ContainerManagementTest {

    private static final Duration SHORT = Duration.ofSeconds(30);
    private static final AtomicInteger NAMES = new AtomicInteger();
    /** Prints got-term and exits 9 on SIGTERM; says ready once the trap is in place. */
    private static final String TRAPPER = "trap 'echo got-term; exit 9' TERM; echo ready; while true; do sleep 0.1; done";

    @AutoClose
    private final HoldfastDaemon holdfast = HoldfastDaemon.start();

    // --- rename ----------------------------------------------------------------------------------------------------

    @Test
    void renameMovesTheNameAndSurvivesAnEngineRestart() {
        String old = name("old");
        String renamed = name("new");
        String taken = name("taken");
        String id = docker("run", "-d", "--name", old, "busybox", "sleep", "1000").assertOk().out();
        String takenId = docker("create", "--name", taken, "busybox", "true").assertOk().out();
        String pid = docker("inspect", "-f", "{{.State.Pid}}", id).assertOk().out();

        DockerResult rename = docker("rename", old, renamed).assertOk();
        assertEquals("", rename.stdout(), rename::toString);
        assertEquals("/" + renamed, docker("inspect", "-f", "{{.Name}}", renamed).assertOk().out());
        assertEquals(renamed, docker("ps", "--filter", "id=" + id, "--format", "{{.Names}}").assertOk().out());
        assertEquals(pid, docker("inspect", "-f", "{{.State.Pid}}", renamed).assertOk().out(), "rename kept the process");
        DockerResult gone = docker("inspect", "--type", "container", old);
        assertEquals(1, gone.exitCode(), gone::toString);
        assertTrue(gone.stderr().contains("No such container: " + old), gone::toString);
        DockerResult again = docker("rename", old, name("other"));
        assertEquals(1, again.exitCode(), again::toString);
        assertEquals("Error response from daemon: No such container: " + old + "\n"
                + "Error: failed to rename container named " + old + "\n", again.stderr(), again::toString);
        // --until is whole seconds: the event of this very second shows once the second is over.
        Await.value(SHORT, () -> docker("events", "--since", "1h", "--until", "0s", "--filter", "container=" + id,
                "--filter", "event=rename", "--format", "{{.Actor.Attributes.oldName}} {{.Actor.Attributes.name}}")
                .assertOk().out(), out -> out.equals("/" + old + " " + renamed), "a rename event with oldName");

        DockerResult conflict = docker("rename", renamed, taken);
        assertEquals(1, conflict.exitCode(), conflict::toString);
        assertEquals("Error response from daemon: Conflict. The container name \"/" + taken
                + "\" is already in use by container \"" + takenId + "\". You have to remove (or rename) that "
                + "container to be able to reuse that name.\nError: failed to rename container named " + renamed
                + "\n", conflict.stderr(), conflict::toString);
        EngineHttp.Response status = new EngineHttp(holdfast.socket())
                .post("/v1.47/containers/" + renamed + "/rename?name=" + taken);
        assertEquals(409, status.status(), status::toString);
        DockerResult same = docker("rename", renamed, renamed);
        assertEquals(1, same.exitCode(), same::toString);
        assertTrue(same.stderr().startsWith("Error response from daemon: Renaming a container with the same name "
                + "as its current name\n"), same::toString);
        EngineHttp.Response sameStatus = new EngineHttp(holdfast.socket())
                .post("/v1.47/containers/" + renamed + "/rename?name=" + renamed);
        assertEquals(400, sameStatus.status(), sameStatus::toString);
        DockerResult invalid = docker("rename", renamed, "no spaces");
        assertTrue(invalid.stderr().startsWith("Error response from daemon: Invalid container name (/no spaces), "
                + "only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed\n"), invalid::toString);

        // The old name is free for another container.
        String reuseId = docker("create", "--name", old, "busybox", "true").assertOk().out();

        holdfast.engine("restart");
        assertEquals("/" + renamed + " " + pid + " running", docker("inspect", "-f",
                "{{.Name}} {{.State.Pid}} {{.State.Status}}", id).assertOk().out(), "the rename after a restart");
        assertEquals(id, docker("inspect", "-f", "{{.Id}}", renamed).assertOk().out());
        assertEquals(reuseId, docker("inspect", "-f", "{{.Id}}", old).assertOk().out());
        assertEquals(renamed, docker("ps", "--filter", "id=" + id, "--format", "{{.Names}}").assertOk().out());
        docker("rm", "-f", renamed, old, taken).assertOk();
    }

    // --- restart ---------------------------------------------------------------------------------------------------

    @Test
    void restartOfARunningContainerGivesANewProcess() {
        String name = name("restart");
        docker("run", "-d", "--name", name, "busybox", "sh", "-c", "echo run; exec sleep 1000").assertOk();
        String format = "{{.State.Pid}} {{.State.StartedAt}} {{.RestartCount}} {{.State.Status}}";
        String[] before = docker("inspect", "-f", format, name).assertOk().out().split(" ");
        assertEquals(name, docker("restart", "-t", "1", name).assertOk().out());
        String[] after = docker("inspect", "-f", format, name).assertOk().out().split(" ");
        assertNotEquals(before[0], after[0], "a new State.Pid");
        assertTrue(Instant.parse(after[1]).isAfter(Instant.parse(before[1])), before[1] + " then " + after[1]);
        assertEquals("0", after[2], "a manual restart is not counted");
        assertEquals("running", after[3]);
        assertTrue(ProcessHandle.of(Long.parseLong(after[0])).map(ProcessHandle::isAlive).orElse(false),
                "the new pid runs on the host");
        assertFalse(ProcessHandle.of(Long.parseLong(before[0])).map(ProcessHandle::isAlive).orElse(false),
                "the old pid is gone");
        Await.until(SHORT, () -> docker("logs", name).assertOk().stdout().equals("run\nrun\n"), "two runs in the log");
        // sleep as pid 1 ignores SIGTERM: after the second, SIGKILL.
        Await.value(SHORT, () -> docker("events", "--since", "1h", "--until", "0s", "--filter", "container=" + name,
                "--format", "{{.Action}} {{index .Actor.Attributes \"signal\"}}").assertOk().stdout().replace(" \n", "\n"),
                out -> out.equals("create\nstart\nkill 15\nkill 9\ndie\nstop\nstart\nrestart\n"),
                "Docker's restart events");
        docker("rm", "-f", name).assertOk();
    }

    @Test
    void restartOfAnExitedContainerStartsIt() {
        String name = name("restartexited");
        docker("run", "-d", "--name", name, "busybox", "sh", "-c", "echo run; exec sleep 1000").assertOk();
        docker("stop", "-t", "0", name).assertOk();
        assertEquals("exited 137", docker("inspect", "-f", "{{.State.Status}} {{.State.ExitCode}}", name).out());
        assertEquals(name, docker("restart", name).assertOk().out());
        assertEquals("running 0", docker("inspect", "-f", "{{.State.Status}} {{.RestartCount}}", name).out());
        Await.until(SHORT, () -> docker("logs", name).assertOk().stdout().equals("run\nrun\n"), "the second run");
        DockerResult missing = docker("restart", name("nosuch"));
        assertEquals(1, missing.exitCode(), missing::toString);
        assertTrue(missing.stderr().contains("No such container"), missing::toString);
        docker("rm", "-f", name).assertOk();
    }

    @Test
    void restartResetsTheRestartCountOfThePolicy() {
        // Docker's containerStart(resetRestartManager=true): a manual start or restart sets RestartCount to 0.
        String name = name("restartcount");
        docker("run", "-d", "--name", name, "--restart", "on-failure:5", "busybox", "sh", "-c",
                "if [ -e /ran ]; then exec sleep 1000; fi; touch /ran; exit 1").assertOk();
        Await.until(SHORT, () -> docker("inspect", "-f", "{{.RestartCount}} {{.State.Status}}", name).out()
                .equals("1 running"), "one restart by the policy");
        docker("restart", "-t", "1", name).assertOk();
        assertEquals("0 running", docker("inspect", "-f", "{{.RestartCount}} {{.State.Status}}", name).out());
        docker("rm", "-f", name).assertOk();
    }

    // --- prune -----------------------------------------------------------------------------------------------------

    @Test
    void containerPruneRemovesStoppedContainersOnly() {
        String running = docker("run", "-d", "--name", name("prunerun"), "--label", "prune=yes", "busybox",
                "sleep", "1000").assertOk().out();
        String exited = docker("run", "--name", name("pruneexit"), "-d", "busybox", "true").assertOk().out();
        String created = docker("create", "--name", name("prunecreated"), "busybox").assertOk().out();
        String labelled = docker("run", "-d", "--name", name("prunelabel"), "--label", "prune=yes", "busybox", "sh",
                "-c", "dd if=/dev/zero of=/written bs=1000 count=100 2>/dev/null").assertOk().out();
        String other = docker("run", "-d", "--name", name("pruneother"), "--label", "prune=no", "busybox", "true")
                .assertOk().out();
        for (String id : List.of(exited, labelled, other)) {
            Await.until(SHORT, () -> docker("inspect", "-f", "{{.State.Status}}", id).out().equals("exited"),
                    id + " exited");
        }

        // Nothing is older than an hour: nothing to delete, and no "Deleted Containers:" header.
        assertEquals("Total reclaimed space: 0B\n",
                docker("container", "prune", "-f", "--filter", "until=1h").assertOk().stdout());
        DockerResult bad = docker("container", "prune", "-f", "--filter", "status=exited");
        assertEquals(1, bad.exitCode(), bad::toString);
        assertTrue(bad.stderr().contains("invalid filter 'status'"), bad::toString);

        // Only the labelled stopped container; its writable layer is the 100 kB it wrote (not the image's files).
        DockerResult byLabel = docker("container", "prune", "-f", "--filter", "label=prune=yes").assertOk();
        assertEquals("Deleted Containers:\n" + labelled + "\n\nTotal reclaimed space: 100kB\n", byLabel.stdout());

        DockerResult notLabel = docker("container", "prune", "-f", "--filter", "label!=prune=no").assertOk();
        Set<String> deleted = deletedIds(notLabel);
        assertTrue(deleted.containsAll(Set.of(exited, created)), notLabel::toString);
        assertFalse(deleted.contains(other) || deleted.contains(running), notLabel::toString);
        assertTrue(notLabel.stdout().endsWith("\nTotal reclaimed space: 0B\n"), notLabel::toString);

        DockerResult all = docker("container", "prune", "-f").assertOk();
        assertTrue(deletedIds(all).contains(other), all::toString);
        assertFalse(deletedIds(all).contains(running), all::toString);
        assertEquals("", docker("ps", "-aq", "--filter", "status=exited", "--filter", "status=created").out());
        assertEquals(running, docker("ps", "-q", "--no-trunc", "--filter", "id=" + running).out(),
                "the running container stays");
        for (String id : List.of(exited, created, labelled, other)) {
            DockerResult inspect = docker("inspect", "--type", "container", id);
            assertEquals(1, inspect.exitCode(), inspect::toString);
        }
        docker("rm", "-f", running).assertOk();
    }

    // --- update --restart ------------------------------------------------------------------------------------------

    @Test
    void updateRestartPolicyAppliesToTheRunningContainer() {
        String name = name("update");
        docker("run", "-d", "--name", name, "busybox", "sleep", "1000").assertOk();
        String policy = "{{.HostConfig.RestartPolicy.Name}} {{.HostConfig.RestartPolicy.MaximumRetryCount}}";
        assertEquals("no 0", docker("inspect", "-f", policy, name).out());
        assertEquals(name, docker("update", "--restart", "on-failure:3", name).assertOk().out());
        assertEquals("on-failure 3", docker("inspect", "-f", policy, name).out());
        docker("update", "--restart", "always", name).assertOk();
        assertEquals("always 0", docker("inspect", "-f", policy, name).out());

        String pid = docker("inspect", "-f", "{{.State.Pid}}", name).out();
        killFromTheHost(pid);
        String[] back = Await.value(SHORT, () -> docker("inspect", "-f",
                "{{.State.Status}} {{.State.Pid}} {{.RestartCount}}", name).out().split(" "),
                s -> s[0].equals("running") && !s[1].equals(pid) && !s[1].equals("0"),
                "the container back after its process was killed");
        assertEquals("1", back[2], "a restart by the policy is counted");
        // As dockerd's SetRunning, the new run has exit code 0.
        assertEquals("0", docker("inspect", "-f", "{{.State.ExitCode}}", name).out());

        String rm = name("updaterm");
        docker("run", "-d", "--rm", "--name", rm, "busybox", "sleep", "1000").assertOk();
        DockerResult refused = docker("update", "--restart", "always", rm);
        assertEquals(1, refused.exitCode(), refused::toString);
        assertTrue(refused.stderr().contains("Restart policy cannot be updated because AutoRemove is enabled for the "
                + "container"), refused::toString);
        docker("rm", "-f", name, rm).assertOk();
    }

    // --- exec -it --------------------------------------------------------------------------------------------------

    @Test
    void execInteractiveShellThroughAPty() {
        String name = name("execit");
        docker("run", "-d", "--name", name, "busybox", "sleep", "1000").assertOk();
        try (InteractiveTest.Pty pty = InteractiveTest.Pty.start(holdfast, "exec -it " + name + " sh")) {
            pty.type("echo hi; exit 3\n");
            pty.await("hi\r\n");
            assertEquals(3, pty.awaitExit(), pty.output());
        }
        assertEquals("running", docker("inspect", "-f", "{{.State.Status}}", name).out());
        docker("rm", "-f", name).assertOk();
    }

    // --- signal proxy ----------------------------------------------------------------------------------------------

    @Test
    void sigProxyForwardsTermToTheContainer() {
        String name = name("sigproxy");
        try (BackgroundDocker run = BackgroundDocker.start(holdfast, "run", "--name", name, "busybox", "sh", "-c",
                TRAPPER)) {
            Await.until(SHORT, () -> run.stdout().contains("ready"), "the trap in place; so far: " + run);
            signal(run, "TERM");
            DockerResult result = run.awaitExit(SHORT);
            assertEquals(9, result.exitCode(), result::toString);
            assertEquals("ready\ngot-term\n", result.stdout(), result::toString);
        }
        assertEquals("exited 9", docker("inspect", "-f", "{{.State.Status}} {{.State.ExitCode}}", name).out());
        docker("rm", name).assertOk();
    }

    @Test
    void withoutSigProxyTermLeavesTheContainerRunning() {
        String name = name("nosigproxy");
        try (BackgroundDocker run = BackgroundDocker.start(holdfast, "run", "--sig-proxy=false", "--name", name,
                "busybox", "sh", "-c", TRAPPER)) {
            Await.until(SHORT, () -> run.stdout().contains("ready"), "the trap in place; so far: " + run);
            signal(run, "TERM");
            // Nothing must happen: for a second, the container keeps running and the CLI stays attached.
            long deadline = System.nanoTime() + Duration.ofSeconds(1).toNanos();
            while (System.nanoTime() < deadline) {
                assertEquals("running", docker("inspect", "-f", "{{.State.Status}}", name).out());
                assertFalse(run.stdout().contains("got-term"), run::toString);
            }
            // Still attached: a stop's TERM reaches the trap, and the CLI reports the container's exit.
            docker("stop", "-t", "10", name).assertOk();
            DockerResult result = run.awaitExit(SHORT);
            assertEquals(9, result.exitCode(), result::toString);
            assertEquals("ready\ngot-term\n", result.stdout(), result::toString);
        }
        docker("rm", name).assertOk();
    }

    // --- helpers ---------------------------------------------------------------------------------------------------

    private static Set<String> deletedIds(DockerResult prune) {
        List<String> lines = prune.stdout().lines().toList();
        assertEquals("Deleted Containers:", lines.get(0), prune::toString);
        return Set.copyOf(lines.subList(1, lines.indexOf("")));
    }

    /** SIGKILL from the host, as an OOM killer or an admin would. */
    private static void killFromTheHost(String pid) {
        HoldfastDaemon.run(List.of("kill", "-KILL", pid), Map.of(), null, SHORT).assertOk();
    }

    private static void signal(BackgroundDocker process, String signal) {
        HoldfastDaemon.run(List.of("kill", "-" + signal, String.valueOf(process.pid())), Map.of(), null,
                SHORT).assertOk();
    }

    private DockerResult docker(String... args) {
        return holdfast.docker(args);
    }

    private static String name(String base) {
        return "mgmt-" + NAMES.incrementAndGet() + "-" + base;
    }
}
