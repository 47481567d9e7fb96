package dev.holdfast.engine.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.holdfast.engine.api.Json;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EventBusTest {
    @TempDir
    Path dir;

    private static Event event(String action, int second) {
        return new Event("container", action, "abc", Map.of("name", "web", "image", "busybox"),
                Instant.ofEpochSecond(1000 + second));
    }

    private EventBus bus() throws IOException {
        return new EventBus(EventJournal.open(dir, Json.MAPPER));
    }

    private static List<String> actions(List<Event> events) {
        return events.stream().map(Event::action).toList();
    }

    @Test
    void replaysFromSinceThenDeliversLiveEventsThatMatch() throws Exception {
        try (EventBus bus = bus()) {
            bus.publish(event("create", 1));
            bus.publish(event("start", 2));
            try (EventBus.Subscription s = bus.subscribe(Instant.ofEpochSecond(1002), e -> !e.action().equals("kill"))) {
                assertEquals("start", s.poll(1000).action());
                bus.publish(event("kill", 3));
                bus.publish(event("die", 4));
                assertEquals("die", s.poll(1000).action());
                assertNull(s.poll(10));
            }
            assertEquals(List.of("create", "start"), actions(bus.between(null, Instant.ofEpochSecond(1002), e -> true)));
        }
    }

    @Test
    void thePastSurvivesARestartAndIsAnsweredInTimeOrder() throws Exception {
        try (EventBus bus = bus()) {
            bus.publish(event("create", 1));
            bus.publish(event("start", 2));
        }
        try (EventBus bus = bus()) {
            bus.publish(event("network-connect", 10));
            // An exit learned at boot, published after what the boot did before it, at its own earlier time.
            bus.publish(event("die", 5));
            bus.publish(event("start-again", 11));
            assertEquals(List.of("start", "die", "network-connect"),
                    actions(bus.between(Instant.ofEpochSecond(1002), Instant.ofEpochSecond(1010), e -> true)));
            try (EventBus.Subscription s = bus.subscribe(Instant.ofEpochSecond(1000), e -> true)) {
                List<String> replayed = new ArrayList<>();
                for (Event e = s.poll(0); e != null; e = s.poll(0)) {
                    replayed.add(e.action());
                }
                assertEquals(List.of("create", "start", "die", "network-connect", "start-again"), replayed);
            }
        }
    }

    @Test
    void recentSinceIsAnsweredFromMemoryAndOlderFromTheJournal_eachEventOnce() throws Exception {
        Instant base = Instant.now().minusSeconds(3600);
        try (EventBus bus = bus()) {
            for (int i = 0; i < 3000; i++) {
                bus.publish(new Event("container", "e" + i, "abc", Map.of(), base.plusMillis(i)));
            }
            List<String> all = IntStream.range(0, 3000).mapToObj(i -> "e" + i).toList();
            assertEquals(all, actions(bus.between(null, base.plusSeconds(10), e -> true)));
            // In the tail: after everything the journal alone holds.
            assertEquals(all.subList(2500, 3000), actions(bus.between(base.plusMillis(2500), base.plusSeconds(10),
                    e -> true)));
            // Older than the tail: journal and tail joined at their boundary.
            assertEquals(all.subList(100, 3000), actions(bus.between(base.plusMillis(100), base.plusSeconds(10),
                    e -> true)));
        }
    }

    /** A subscriber that comes while events are published gets each one once, in order: replayed or live. */
    @Test
    void subscribingWhilePublishingNeitherDropsNorRepeats() throws Exception {
        int total = 5000;
        try (EventBus bus = bus()) {
            CountDownLatch halfway = new CountDownLatch(1);
            Thread publisher = Thread.ofPlatform().start(() -> {
                for (int i = 0; i < total; i++) {
                    bus.publish(new Event("container", "e" + i, "abc", Map.of(), Instant.ofEpochSecond(1000, i)));
                    if (i == total / 2) {
                        halfway.countDown();
                    }
                }
            });
            halfway.await();
            List<String> received = new ArrayList<>();
            try (EventBus.Subscription s = bus.subscribe(Instant.ofEpochSecond(1000), e -> true)) {
                while (received.size() < total) {
                    Event e = s.poll(5000);
                    if (e == null) {
                        break;
                    }
                    received.add(e.action());
                }
            }
            publisher.join();
            assertEquals(IntStream.range(0, total).mapToObj(i -> "e" + i).toList(), received);
        }
    }

    @Test
    void jsonHasDockersFieldsAndLegacyOnes() {
        Map<String, Object> json = new Event("container", "die", "abc", Map.of("exitCode", "7", "image", "busybox"),
                Instant.ofEpochSecond(5, 6)).toJson();
        assertEquals("die", json.get("status"));
        assertEquals("abc", json.get("id"));
        assertEquals("busybox", json.get("from"));
        assertEquals("container", json.get("Type"));
        assertEquals("die", json.get("Action"));
        assertEquals(Map.of("ID", "abc", "Attributes", Map.of("exitCode", "7", "image", "busybox")), json.get("Actor"));
        assertEquals(5L, json.get("time"));
        assertEquals(5_000_000_006L, json.get("timeNano"));
    }
}
