package dev.holdfast.engine.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EventBusTest {
    private static Event event(String action, int second) {
        return new Event("container", action, "abc", Map.of("name", "web", "image", "busybox"),
                Instant.ofEpochSecond(1000 + second));
    }

    @Test
    void replaysFromSinceThenDeliversLiveEventsThatMatch() throws Exception {
        EventBus bus = new EventBus();
        bus.publish(event("create", 1));
        bus.publish(event("start", 2));
        try (EventBus.Subscription s = bus.subscribe(Instant.ofEpochSecond(1002), e -> !e.action().equals("kill"))) {
            assertEquals("start", s.poll(1000).action());
            bus.publish(event("kill", 3));
            bus.publish(event("die", 4));
            assertEquals("die", s.poll(1000).action());
            assertNull(s.poll(10));
        }
        assertEquals(List.of("create", "start"), bus.between(null, Instant.ofEpochSecond(1002), e -> true).stream()
                .map(Event::action).toList());
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
