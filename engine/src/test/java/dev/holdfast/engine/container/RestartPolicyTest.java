package dev.holdfast.engine.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.holdfast.engine.api.ApiException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RestartPolicyTest {
    private static RestartPolicy policy(String name, int max) {
        return RestartPolicy.of(new HostConfig.RestartPolicyConfig(name, max));
    }

    @Test
    void decidesLikeDocker() {
        assertFalse(policy("no", 0).shouldRestart(1, false, 0));
        assertFalse(RestartPolicy.of(null).shouldRestart(1, false, 0));
        assertTrue(policy("always", 0).shouldRestart(0, true, 5));
        assertTrue(policy("unless-stopped", 0).shouldRestart(0, false, 0));
        assertFalse(policy("unless-stopped", 0).shouldRestart(0, true, 0));
        assertTrue(policy("on-failure", 0).shouldRestart(1, false, 100));
        assertFalse(policy("on-failure", 0).shouldRestart(0, false, 0));
        assertTrue(policy("on-failure", 2).shouldRestart(3, false, 1));
        assertFalse(policy("on-failure", 2).shouldRestart(3, false, 2));
        assertEquals(new RestartPolicy(RestartPolicy.Kind.ON_FAILURE, 3), policy("on-failure:3", 0));
    }

    @Test
    void rejectsWhatDockerRejects() {
        assertEquals(400, assertThrows(ApiException.class, () -> policy("sometimes", 0)).status().code());
        assertEquals(400, assertThrows(ApiException.class, () -> policy("always", 3)).status().code());
        assertEquals(400, assertThrows(ApiException.class, () -> policy("on-failure", -1)).status().code());
        assertEquals(400, assertThrows(ApiException.class, () -> policy("on-failure:x", 0)).status().code());
    }

    @Test
    void backoffDoublesUpToAMinuteAndResetsAfterAStableRun() {
        Duration first = RestartPolicy.nextDelay(null, Duration.ZERO);
        assertEquals(Duration.ofMillis(100), first);
        assertEquals(Duration.ofMillis(200), RestartPolicy.nextDelay(first, Duration.ofSeconds(1)));
        assertEquals(Duration.ofMinutes(1), RestartPolicy.nextDelay(Duration.ofSeconds(50), Duration.ZERO));
        assertEquals(Duration.ofMillis(100), RestartPolicy.nextDelay(Duration.ofSeconds(50), Duration.ofSeconds(10)));
    }
}
