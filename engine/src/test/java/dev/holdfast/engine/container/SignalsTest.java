package dev.holdfast.engine.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.holdfast.engine.api.ApiException;
import org.junit.jupiter.api.Test;

class SignalsTest {
    @Test
    void namesWithOrWithoutSigAnyCaseAndNumbers() {
        assertEquals(9, Signals.parse("KILL"));
        assertEquals(9, Signals.parse("SIGKILL"));
        assertEquals(9, Signals.parse("sigkill"));
        assertEquals(15, Signals.parse("15"));
        assertEquals(1, Signals.parse("HUP"));
        assertEquals(10, Signals.parse("usr1"));
        assertEquals(37, Signals.parse("RTMIN+3"));
        assertEquals(62, Signals.parse("SIGRTMAX-2"));
    }

    @Test
    void unknownOrOutOfRangeIsDockers400() {
        for (String bad : new String[] {"NOPE", "0", "65", "99999999999", ""}) {
            ApiException e = assertThrows(ApiException.class, () -> Signals.parse(bad), bad);
            assertEquals(400, e.status().code());
            assertEquals("Invalid signal: " + bad, e.getMessage());
        }
    }
}
