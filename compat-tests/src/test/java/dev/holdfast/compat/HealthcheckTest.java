package dev.holdfast.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/**
 * Health checks through the docker CLI: probes run by the engine turn a container healthy or unhealthy, visible in
 * docker ps (status text and the health filter), docker inspect (State.Health) and docker events; the streak and the
 * last results are part of the container's record, so they survive an engine killed with SIGKILL, and probing
 * resumes at its boot.
 */
class HealthcheckTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();

    @AutoClose
    private final HoldfastDaemon holdfast = HoldfastDaemon.start();

    @Test
    void failingCheckTurnsUnhealthyInPsInspectAndEvents() {
        Instant since = Instant.now();
        run("failing", "--health-cmd", "echo probe says no; exit 1", "--health-interval", "200ms",
                "--health-retries", "2");

        Await.until(WAIT, () -> status("failing").endsWith("(unhealthy)"), "docker ps shows failing (unhealthy)");
        JsonNode health = health("failing");
        assertEquals("unhealthy", health.path("Status").asText(), health::toString);
        assertTrue(health.path("FailingStreak").asInt() >= 2, health::toString);
        JsonNode last = health.path("Log").get(health.path("Log").size() - 1);
        assertEquals(1, last.path("ExitCode").asInt(), health::toString);
        assertEquals("probe says no\n", last.path("Output").asText(), health::toString);
        assertTrue(health.path("Log").size() <= 5, "dockerd keeps the last five results: " + health);

        assertEquals(List.of("failing"), names("health=unhealthy"));
        assertEquals(List.of(), names("health=healthy"));
        String events = holdfast.docker("events", "--since", String.valueOf(since.getEpochSecond()), "--until",
                String.valueOf(Instant.now().getEpochSecond() + 1), "--filter", "container=failing", "--filter",
                "event=health_status").assertOk().out();
        assertTrue(events.contains("health_status: unhealthy"), events);
        assertFalse(events.contains("health_status: healthy"), events);
    }

    @Test
    void passingCheckTurnsHealthyAndStopResetsAsDockerdDoes() {
        Instant since = Instant.now();
        run("passing", "--health-cmd", "true", "--health-interval", "200ms");
        run("waiting", "--health-cmd", "true", "--health-interval", "1h");

        Await.until(WAIT, () -> status("passing").endsWith("(healthy)"), "docker ps shows passing (healthy)");
        assertTrue(status("waiting").endsWith("(health: starting)"), status("waiting"));
        assertEquals(List.of("passing"), names("health=healthy"));
        assertEquals(List.of("waiting"), names("health=starting"));
        String events = holdfast.docker("events", "--since", String.valueOf(since.getEpochSecond()), "--until",
                String.valueOf(Instant.now().getEpochSecond() + 1), "--filter", "container=passing", "--filter",
                "event=health_status: healthy").assertOk().out();
        assertTrue(events.contains("health_status: healthy"), events);

        // dockerd: a stopped container's last health reads unhealthy, its results kept; a start begins again.
        holdfast.docker("stop", "-t", "0", "passing").assertOk();
        JsonNode stopped = health("passing");
        assertEquals("unhealthy", stopped.path("Status").asText(), stopped::toString);
        assertTrue(stopped.path("Log").size() > 0, stopped::toString);
        holdfast.docker("start", "passing").assertOk();
        assertEquals("starting", health("passing").path("Status").asText());
        Await.until(WAIT, () -> status("passing").endsWith("(healthy)"), "healthy again after the start");
    }

    @Test
    void probePastItsTimeoutIsKilledAndFails() {
        run("slow", "--health-cmd", "sleep 30", "--health-interval", "200ms", "--health-timeout", "300ms",
                "--health-retries", "1");

        Await.until(WAIT, () -> status("slow").endsWith("(unhealthy)"), "docker ps shows slow (unhealthy)");
        JsonNode first = health("slow").path("Log").get(0);
        assertEquals(-1, first.path("ExitCode").asInt(), first::toString);
        assertEquals("Health check exceeded timeout (300ms)", first.path("Output").asText());
    }

    @Test
    void noHealthcheckAndBadSettings() {
        run("plain", "--no-healthcheck");
        assertEquals("{\"Test\":[\"NONE\"]}", inspect("plain", "{{json .Config.Healthcheck}}"));
        assertEquals("null", inspect("plain", "{{json .State.Health}}"));
        assertFalse(status("plain").contains("("), status("plain"));
        assertEquals(List.of("plain"), names("health=none"));

        DockerResult tooShort = holdfast.docker("run", "-d", "--health-cmd", "true", "--health-interval", "500us",
                "busybox", "sleep", "1");
        assertTrue(tooShort.stderr().contains("Interval in Healthcheck cannot be less than 1ms"), tooShort::toString);
        DockerResult badFilter = holdfast.docker("ps", "--filter", "health=sick");
        assertTrue(badFilter.stderr().contains("Unrecognised filter value for health: sick"), badFilter::toString);
    }

    /**
     * The check reads a file of a bind-mounted host directory, created while no engine runs (docker exec needs the
     * engine): the probes after the boot fail, and the streak continues from the one the record kept, with the
     * results from before the kill still in the log.
     */
    @Test
    void streakAndResultsSurviveAnEngineKilledWithSigkill() throws IOException {
        Path flags = Files.createDirectories(holdfast.root().resolve("health-flags"));
        run("flaky", "-v", flags + ":/flags", "--health-cmd", "test ! -f /flags/bad && echo fine",
                "--health-interval", "1s", "--health-retries", "3");
        Await.until(WAIT, () -> health("flaky").path("Status").asText().equals("healthy"), "flaky turns healthy");
        Files.createFile(flags.resolve("bad"));
        JsonNode beforeKill = Await.value(WAIT, () -> health("flaky"),
                h -> h.path("FailingStreak").asInt() == 1, "flaky fails once");
        assertEquals("healthy", beforeKill.path("Status").asText(), "one failure of three: still healthy");
        List<String> startsBeforeKill = starts(beforeKill);

        holdfast.engine("kill");
        Instant down = Instant.now();
        holdfast.engine("start");

        JsonNode after = Await.value(WAIT, () -> health("flaky"),
                h -> h.path("Status").asText().equals("unhealthy"), "flaky turns unhealthy after the boot");
        List<String> newStarts = starts(after).stream().filter(s -> Instant.parse(s).isAfter(down)).toList();
        // Fewer than Retries (3) failures since the boot made it unhealthy: those from before the kill counted.
        assertTrue(!newStarts.isEmpty() && newStarts.size() < 3,
                () -> "probing resumed and continued the streak: " + beforeKill + " then " + after);
        assertEquals(trailingFailures(after), after.path("FailingStreak").asInt(), after::toString);
        assertTrue(starts(after).containsAll(startsBeforeKill.subList(startsBeforeKill.size() - 2,
                startsBeforeKill.size())), () -> "the results from before the kill are kept: " + after);
        assertTrue(status("flaky").endsWith("(unhealthy)"), status("flaky"));
    }

    private static int trailingFailures(JsonNode health) {
        List<JsonNode> log = StreamSupport.stream(health.path("Log").spliterator(), false).toList();
        int failures = 0;
        for (int i = log.size() - 1; i >= 0 && log.get(i).path("ExitCode").asInt() != 0; i--) {
            failures++;
        }
        return failures;
    }

    // ---- helpers --------------------------------------------------------------------------------------------------

    /** {@code docker run -d --name NAME OPTIONS… busybox sleep 1000}. */
    private void run(String name, String... options) {
        List<String> command = new ArrayList<>(List.of("run", "-d", "--name", name));
        command.addAll(List.of(options));
        command.addAll(List.of("busybox", "sleep", "1000"));
        holdfast.docker(command.toArray(String[]::new)).assertOk();
    }

    private String inspect(String name, String format) {
        return holdfast.docker("inspect", "-f", format, name).assertOk().out();
    }

    private JsonNode health(String name) {
        try {
            return JSON.readTree(inspect(name, "{{json .State.Health}}"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> starts(JsonNode health) {
        return StreamSupport.stream(health.path("Log").spliterator(), false).map(r -> r.path("Start").asText()).toList();
    }

    /** The STATUS column of docker ps. */
    private String status(String name) {
        return holdfast.docker("ps", "-a", "--filter", "name=^" + name + "$", "--format", "{{.Status}}").assertOk().out();
    }

    private List<String> names(String filter) {
        return holdfast.docker("ps", "--filter", filter, "--format", "{{.Names}}").assertOk().out().lines().sorted()
                .toList();
    }
}
