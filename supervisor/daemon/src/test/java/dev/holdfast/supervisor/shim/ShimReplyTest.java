package dev.holdfast.supervisor.shim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class ShimReplyTest {
    @Test
    void ok() {
        assertEquals(new ShimReply.Ok(1234, 1200), ShimReply.parse("ok 1234 1200"));
        assertEquals(new ShimReply.Ok(1, 2), ShimReply.parse("ok 1 2\n"));
        assertEquals(new ShimReply.Ok(0, 5), ShimReply.parse("ok 0 5"), "exec mode: nothing runs yet");
    }

    @Test
    void error() {
        assertEquals(new ShimReply.Error("exec: \"/x\": stat /x: no such file or directory"),
                ShimReply.parse("error exec: \"/x\": stat /x: no such file or directory"));
        assertEquals(new ShimReply.Error("(no message)"), ShimReply.parse("error"));
        assertEquals(new ShimReply.Error("(no message)"), ShimReply.parse("error   "));
    }

    @Test
    void anythingElseIsRejected() {
        for (String bad : new String[] {"", "ok", "ok 1", "ok a b", "ok 1 2 3", "ok 1 0", "ok -1 5", "okay 1 2",
                "hello"}) {
            assertThrows(IllegalArgumentException.class, () -> ShimReply.parse(bad), bad);
        }
        assertThrows(IllegalArgumentException.class, () -> ShimReply.parse(null));
    }
}
