package dev.holdfast.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/**
 * Events are journaled on disk: {@code docker events --since} reaches past an engine {@code kill -9}, and the
 * {@code die} of a container that exited while no engine ran carries its real exit time, in time order.
 */
class EventsJournalTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @AutoClose
    private HoldfastDaemon holdfast;

    /** One line of {@code docker events --format '{{json .}}'}. */
    private record Seen(String name, String action, String exitCode, Instant time) {
        static Seen of(String json) {
            try {
                JsonNode event = EngineHttp.JSON.readTree(json);
                JsonNode attributes = event.path("Actor").path("Attributes");
                long nanos = event.path("timeNano").asLong();
                return new Seen(attributes.path("name").asText(), event.path("Action").asText(),
                        attributes.path("exitCode").asText(null),
                        Instant.ofEpochSecond(nanos / 1_000_000_000L, nanos % 1_000_000_000L));
            } catch (IOException e) {
                throw new UncheckedIOException(json, e);
            }
        }

        String label() {
            return name + " " + action + (exitCode != null ? " " + exitCode : "");
        }
    }

    @Test
    void sinceSpansAnEngineKillAndTheDieOfAnExitDuringTheDowntimeHasItsRealTime() throws IOException {
        holdfast = HoldfastDaemon.start();
        Path flags = Files.createDirectories(holdfast.root().resolve("flags"));
        Instant since = Instant.now();
        holdfast.docker("run", "-d", "--name", "three", "-v", flags + ":/flags", "busybox", "sh", "-c",
                "while [ ! -e /flags/exit ]; do sleep 0.1; done; exit 3").assertOk();
        long pid = Long.parseLong(holdfast.docker("inspect", "-f", "{{.State.Pid}}", "three").assertOk().out());

        holdfast.engine("kill");
        Instant exitAllowed = Instant.now();
        Files.createFile(flags.resolve("exit"));
        Await.until(WAIT, () -> ProcessHandle.of(pid).isEmpty(), "three exits while the engine is down");
        Instant exited = Instant.now();
        // Tolerated when the engine is back by itself already.
        holdfast.engine("start");
        holdfast.docker("run", "--name", "after", "busybox", "true").assertOk();
        Instant until = Instant.now();

        List<Seen> seen = events(since, until);
        List<String> labels = seen.stream().map(Seen::label).toList();
        assertEquals(List.of("three create", "three start", "three die 3", "after create", "after attach",
                "after start", "after die 0"), labels);
        for (int i = 1; i < seen.size(); i++) {
            assertTrue(!seen.get(i).time().isBefore(seen.get(i - 1).time()), "in time order: " + seen);
        }
        Instant die = seen.get(2).time();
        assertTrue(!die.isBefore(exitAllowed) && !die.isAfter(exited),
                () -> "die at " + die + ", the exit happened between " + exitAllowed + " and " + exited);
        assertEquals(Instant.parse(holdfast.docker("inspect", "-f", "{{.State.FinishedAt}}", "three").assertOk().out()),
                die, "the die's time is the exit's");

        // A client that follows from the same since (until still ahead) replays the same past, then goes live.
        Instant ahead = Instant.now().plusSeconds(1);
        assertEquals(seen, events(since, ahead));
    }

    private List<Seen> events(Instant since, Instant until) {
        return holdfast.docker("events", "--since", timestamp(since), "--until", timestamp(until), "--filter",
                "type=container", "--format", "{{json .}}").assertOk().out().lines().map(Seen::of).toList();
    }

    /** The CLI's {@code seconds.nanoseconds} form. */
    private static String timestamp(Instant time) {
        return time.getEpochSecond() + "." + String.format("%09d", time.getNano());
    }
}
