package dev.holdfast.engine.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.holdfast.engine.api.ApiException;
import dev.holdfast.engine.api.Filters;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ContainerFilterTest {
    private static Container container(String labelsJson, ContainerState state) throws Exception {
        ContainerRecord r = ContainerFactoryTest.build("{\"Image\":\"app\",\"Labels\":" + labelsJson + "}");
        return new Container(Path.of("/tmp"), r.withState(state));
    }

    private static ContainerFilter filter(String json) {
        return new ContainerFilter(Filters.parse(Optional.of(json), ContainerFilter.KEYS),
                ref -> ref.equals("app:latest") ? Optional.of(ContainerFactoryTest.IMAGE.id()) : Optional.empty(),
                ref -> Instant.parse("2027-01-01T00:00:00Z"), c -> Map.of("bridge", "b1d9e"));
    }

    @Test
    void matchesEachKeyLikeDocker() throws Exception {
        Instant t = Instant.parse("2026-01-01T00:00:00Z");
        Container exited7 = container("{\"tier\":\"web\"}", ContainerState.created().runningAs(1, t).exitedWith(7, false, t, ""));
        assertTrue(filter("{\"status\":[\"exited\"]}").test(exited7));
        assertFalse(filter("{\"status\":[\"running\"]}").test(exited7));
        assertTrue(filter("{\"exited\":[\"7\"]}").test(exited7));
        assertFalse(filter("{\"exited\":[\"0\"]}").test(exited7));
        assertTrue(filter("{\"label\":[\"tier\"]}").test(exited7));
        assertTrue(filter("{\"label\":{\"tier=web\":true}}").test(exited7));
        assertFalse(filter("{\"label\":[\"tier=db\"]}").test(exited7));
        assertTrue(filter("{\"name\":[\"we\"]}").test(exited7));
        assertTrue(filter("{\"name\":[\"^/web$\"]}").test(exited7));
        assertFalse(filter("{\"name\":[\"db\"]}").test(exited7));
        assertTrue(filter("{\"id\":[\"0123\"]}").test(exited7));
        assertTrue(filter("{\"ancestor\":[\"app\"]}").test(exited7));
        assertTrue(filter("{\"ancestor\":[\"app:latest\"]}").test(exited7));
        assertFalse(filter("{\"ancestor\":[\"busybox\"]}").test(exited7));
        assertTrue(filter("{\"before\":[\"later\"]}").test(exited7));
        assertFalse(filter("{\"since\":[\"later\"]}").test(exited7));
        assertTrue(filter("{\"network\":[\"bridge\"]}").test(exited7));
        assertTrue(filter("{\"network\":[\"b1d\"]}").test(exited7));
        assertFalse(filter("{\"network\":[\"backend\"]}").test(exited7));
        assertTrue(filter("{\"status\":[\"exited\"],\"label\":[\"tier\"]}").impliesAll());
    }

    @Test
    void unknownKeysAndValuesAre400() {
        assertEquals("invalid filter 'color'", assertThrows(ApiException.class,
                () -> Filters.parse(Optional.of("{\"color\":[\"red\"]}"), ContainerFilter.KEYS)).getMessage());
        assertEquals(400, assertThrows(ApiException.class, () -> filter("{\"status\":[\"sleepy\"]}")).status().code());
        assertEquals(400, assertThrows(ApiException.class, () -> filter("{\"exited\":[\"x\"]}")).status().code());
        assertEquals(400, assertThrows(ApiException.class,
                () -> Filters.parse(Optional.of("{not json"), Set.of())).status().code());
    }
}
