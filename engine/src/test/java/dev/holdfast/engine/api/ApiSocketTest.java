package dev.holdfast.engine.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ApiSocketTest {
    private static final Path CONFIGURED = Path.of("/run/holdfast/holdfast.sock");

    @Test
    void aSocketPassedToThisProcessIsFdThree() {
        assertEquals(new ApiSocket.Inherited(3),
                ApiSocket.choose(CONFIGURED, Map.of("LISTEN_FDS", "1", "LISTEN_PID", "42"), 42));
    }

    @Test
    void withoutPassedSocketsTheConfiguredPathIsBound() {
        assertEquals(new ApiSocket.Bound(CONFIGURED), ApiSocket.choose(CONFIGURED, Map.of(), 42));
        assertEquals(new ApiSocket.Bound(CONFIGURED),
                ApiSocket.choose(CONFIGURED, Map.of("LISTEN_FDS", "0", "LISTEN_PID", "42"), 42));
    }

    @Test
    void socketsPassedToAnotherProcessAreNotOurs() {
        // A parent's LISTEN_* left in the environment of a child it did not mean them for (sd_listen_fds' rule).
        assertEquals(new ApiSocket.Bound(CONFIGURED),
                ApiSocket.choose(CONFIGURED, Map.of("LISTEN_FDS", "1", "LISTEN_PID", "41"), 42));
    }

    @Test
    void aGarbledCountIsAnError() {
        assertThrows(IllegalArgumentException.class,
                () -> ApiSocket.choose(CONFIGURED, Map.of("LISTEN_FDS", "one", "LISTEN_PID", "42"), 42));
    }
}
