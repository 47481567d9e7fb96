package dev.holdfast.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/**
 * Containers outlive the daemons: an engine killed or restarted finds its containers where they are (same pid,
 * same StartedAt, no gap in their logs) and learns the true exit of those that ended meanwhile; a killed supervisor
 * leaves them running and manageable once it is back. With {@code reconcile = false}, they do not survive.
 */
class LiveRestoreTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    // Prints 0, 1, 2, … every 100 ms: a gap in the numbers would be lost output.
    private static final String[] COUNTER = {"sh", "-c", "i=0; while true; do echo $i; i=$((i+1)); sleep 0.1; done"};

    @AutoClose
    private HoldfastDaemon holdfast;
    private final Map<String, String> ids = new HashMap<>();

    @Test
    void engineKilledWithSigkillAdoptsRunningContainersAndLearnsMissedExits() throws IOException {
        holdfast = HoldfastDaemon.start();
        Path flags = Files.createDirectories(holdfast.root().resolve("flags"));
        runCounter("counter");
        run("seven", "-v", flags + ":/flags", "busybox", "sh", "-c",
                "while [ ! -e /flags/exit ]; do sleep 0.1; done; exit 7");
        String before = state("counter");
        long sevenPid = Long.parseLong(inspect("seven", "{{.State.Pid}}"));
        int linesAtKill = awaitLogLines("counter", 5);
        // A docker run --rm whose client lost the engine between create and start (found by scripts/chaos).
        holdfast.docker("create", "--rm", "--name", "abandoned", "busybox", "true").assertOk();

        holdfast.engine("kill");
        Files.createFile(flags.resolve("exit"));
        Instant exitAllowed = Instant.now();
        Await.until(WAIT, () -> ProcessHandle.of(sevenPid).isEmpty(), "seven exits while the engine is down");
        // About three seconds down, measured by the counter's own output (which nobody is reading).
        awaitLogLines("counter", linesAtKill + 30);
        Instant engineBack = Instant.now();
        holdfast.engine("start");

        assertEquals(before, state("counter"), "same pid and StartedAt after the restart");
        assertCountsWithoutGap(awaitLogLines("counter", linesAtKill + 40));
        String status = holdfast.docker("ps", "-a", "--filter", "name=seven", "--format", "{{.Status}}").assertOk().out();
        assertTrue(status.startsWith("Exited (7)"), status);
        Instant finishedAt = Instant.parse(inspect("seven", "{{.State.FinishedAt}}"));
        assertTrue(!finishedAt.isBefore(exitAllowed) && finishedAt.isBefore(engineBack),
                () -> "FinishedAt " + finishedAt + " should be between " + exitAllowed + " and " + engineBack);
        String dies = holdfast.docker("events", "--since", String.valueOf(exitAllowed.getEpochSecond() - 1), "--until",
                String.valueOf(Instant.now().getEpochSecond() + 1), "--filter", "container=seven", "--filter",
                "event=die").assertOk().out();
        assertTrue(dies.contains("exitCode=7"), dies);
        Await.until(WAIT, () -> !holdfast.docker("inspect", "abandoned").ok(),
                "the engine removes the never-started --rm container, as dockerd's restore does");
    }

    @Test
    void gracefulEngineRestartLeavesContainersRunning() {
        holdfast = HoldfastDaemon.start();
        runCounter("counter");
        String before = state("counter");
        int lines = awaitLogLines("counter", 5);
        holdfast.docker("create", "--rm", "--name", "carried", "busybox", "true").assertOk();

        holdfast.engine("restart");

        // A docker run that carries on through the handover still starts the --rm container it created.
        holdfast.docker("start", "carried").assertOk();
        Await.until(WAIT, () -> !holdfast.docker("inspect", "carried").ok(), "carried ran and was removed");
        assertEquals(before, state("counter"));
        assertCountsWithoutGap(awaitLogLines("counter", lines + 20));
    }

    @Test
    void supervisorKilledWithSigkillLeavesContainersRunningAndStoppableOnceBack() {
        holdfast = HoldfastDaemon.start();
        runCounter("counter");
        long pid = Long.parseLong(inspect("counter", "{{.State.Pid}}"));
        int lines = awaitLogLines("counter", 5);

        holdfast.supervisor("kill");
        assertTrue(ProcessHandle.of(pid).isPresent(), "the container outlives its supervisor");
        awaitLogLines("counter", lines + 10);
        assertTrue(holdfast.docker("ps", "--format", "{{.Names}} {{.Status}}").assertOk().out().contains("counter Up"));
        holdfast.supervisor("start");

        holdfast.docker("stop", "-t", "1", "counter").assertOk();
        assertEquals("exited", inspect("counter", "{{.State.Status}}"));
        assertFalse(ProcessHandle.of(pid).isPresent());
    }

    @Test
    void aRunWithRmWhileTheSupervisorIsDownFailsAndLeavesNothing() {
        holdfast = HoldfastDaemon.start();
        holdfast.supervisor("stop");
        try {
            DockerResult run = holdfast.docker("run", "--rm", "--name", "orphan", "busybox", "echo", "hi");
            // Before: the attach was refused after 10 s ("unable to upgrade to tcp, received 500"), the CLI never
            // sent the start, and the created container stayed for ever.
            assertTrue(!run.ok() && run.stderr().contains("supervisor is not reachable"), run::toString);
            Await.until(WAIT, () -> holdfast.docker("ps", "-aq", "--filter", "name=orphan").assertOk().out().isBlank(),
                    "the --rm container whose start failed is removed, as dockerd removes it");
        } finally {
            holdfast.supervisor("start");
        }
    }

    @Test
    void withoutReconcileAGracefulShutdownStopsContainersAndABootKillsLeftovers() {
        holdfast = HoldfastDaemon.builder().reconcile(false).start();
        runCounter("graceful", "--stop-timeout", "1");
        long gracefulPid = Long.parseLong(inspect("graceful", "{{.State.Pid}}"));
        holdfast.engine("restart");
        assertEquals("exited", inspect("graceful", "{{.State.Status}}"));
        assertFalse(ProcessHandle.of(gracefulPid).isPresent());

        runCounter("killed");
        long killedPid = Long.parseLong(inspect("killed", "{{.State.Pid}}"));
        holdfast.crashEngineForGood();
        assertTrue(ProcessHandle.of(killedPid).isPresent(), "nothing stops it while no engine runs");
        holdfast.engine("start");
        Await.until(WAIT, () -> inspect("killed", "{{.State.Status}}").equals("exited"), "the boot kills leftovers");
        assertEquals("137", inspect("killed", "{{.State.ExitCode}}"));
        assertFalse(ProcessHandle.of(killedPid).isPresent());
    }

    // ---- helpers --------------------------------------------------------------------------------------------------

    /** {@code docker run -d --name NAME ARGS…}. */
    private void run(String name, String... args) {
        List<String> command = new ArrayList<>(List.of("run", "-d", "--name", name));
        command.addAll(List.of(args));
        holdfast.docker(command.toArray(String[]::new)).assertOk();
    }

    /** A busybox counter with {@code options} before the image. */
    private void runCounter(String name, String... options) {
        List<String> args = new ArrayList<>(List.of(options));
        args.add("busybox");
        args.addAll(List.of(COUNTER));
        run(name, args.toArray(String[]::new));
    }

    private String inspect(String name, String format) {
        return holdfast.docker("inspect", "-f", format, name).assertOk().out();
    }

    /** What must not change across a restart: the process and when it started. */
    private String state(String name) {
        return inspect(name, "{{.State.Status}} {{.State.Pid}} {{.State.StartedAt}}");
    }

    /**
     * Waits until the container has logged at least {@code lines} lines, read from its log file (so that this works
     * while no engine runs), and returns the count.
     */
    private int awaitLogLines(String name, int lines) {
        String id = ids.computeIfAbsent(name, n -> inspect(n, "{{.Id}}"));
        Path log = holdfast.dataDir().resolve("containers").resolve(id).resolve(id + "-json.log");
        return Await.value(WAIT, () -> countLines(log), n -> n >= lines, name + " logs " + lines + " lines");
    }

    private static int countLines(Path file) {
        if (!Files.exists(file)) {
            return 0;
        }
        try (Stream<String> lines = Files.lines(file)) {
            return (int) lines.count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code docker logs counter} is 0, 1, 2, … with nothing missing, at least {@code atLeast} lines. */
    private void assertCountsWithoutGap(int atLeast) {
        List<String> lines = holdfast.docker("logs", "counter").assertOk().out().lines().toList();
        assertTrue(lines.size() >= atLeast, () -> "only " + lines.size() + " lines");
        for (int i = 0; i < lines.size(); i++) {
            assertEquals(String.valueOf(i), lines.get(i), "line " + i + " of the counter's log");
        }
    }
}
