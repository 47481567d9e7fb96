package dev.holdfast.engine.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class AttachSessionTest {
    @Test
    void detachKeysFollowDockersSyntax() {
        assertArrayEquals(new byte[] {16, 17}, AttachSession.parseDetachKeys(null));
        assertArrayEquals(new byte[] {16, 17}, AttachSession.parseDetachKeys(""));
        assertArrayEquals(new byte[] {1, 'x', 27}, AttachSession.parseDetachKeys("ctrl-a,x,ctrl-["));
        assertThrows(ApiException.class, () -> AttachSession.parseDetachKeys("ctrl-"));
        assertThrows(ApiException.class, () -> AttachSession.parseDetachKeys("abc"));
    }
}
