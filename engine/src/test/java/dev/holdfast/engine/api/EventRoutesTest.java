package dev.holdfast.engine.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.holdfast.engine.events.Event;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

class EventRoutesTest {
    private static final Event DIE = new Event("container", "die", "abcdef0123", Map.of("name", "web",
            "image", "busybox", "tier", "front", "exitCode", "7"), Instant.EPOCH);

    private static Predicate<Event> filter(String json) {
        return EventRoutes.matching(Filters.parse(Optional.of(json), Set.of("type", "event", "container", "image", "label")));
    }

    @Test
    void filtersByTypeActionContainerImageAndLabel() {
        assertTrue(filter("{\"type\":[\"container\"],\"event\":[\"die\",\"stop\"]}").test(DIE));
        assertFalse(filter("{\"event\":[\"start\"]}").test(DIE));
        assertTrue(filter("{\"container\":[\"web\"]}").test(DIE));
        assertTrue(filter("{\"container\":[\"abcdef\"]}").test(DIE));
        assertFalse(filter("{\"container\":[\"db\"]}").test(DIE));
        assertTrue(filter("{\"image\":[\"busybox\"]}").test(DIE));
        assertTrue(filter("{\"label\":[\"tier=front\"]}").test(DIE));
        assertFalse(filter("{\"type\":[\"image\"]}").test(DIE));
    }

    @Test
    void tailIsAllOrACount() {
        assertEquals(-1, ContainerRoutes.tail(Optional.empty()));
        assertEquals(-1, ContainerRoutes.tail(Optional.of("all")));
        assertEquals(-1, ContainerRoutes.tail(Optional.of("-5")));
        assertEquals(10, ContainerRoutes.tail(Optional.of("10")));
        assertThrows(ApiException.class, () -> ContainerRoutes.tail(Optional.of("ten")));
    }
}
