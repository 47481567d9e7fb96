package dev.holdfast.bench.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import org.junit.jupiter.api.Test;

class ErrorsTest {
    @Test
    void oneLineIsTheLastLineThatSaysSomething() {
        assertEquals("the cause", Errors.oneLine("trace\n\tat x\r\nthe\tcause\n  \n"));
        assertEquals("unknown error", Errors.oneLine(null));
        String longLine = "x".repeat(400);
        assertEquals(300, Errors.oneLine(longLine).length());
        assertEquals("x".repeat(297) + "...", Errors.oneLine(longLine));
    }

    @Test
    void cliErrorPrefersTheDaemonsAnswerOverTheUsageHint() {
        String stderr = "docker: Error response from daemon: No such image: nope.\n"
                + "See 'docker run --help'.\n";
        assertEquals("Error response from daemon: No such image: nope.", Errors.cliError(stderr));
        assertEquals("plain failure", Errors.cliError("plain failure\n"));
    }

    @Test
    void reasonFallsBackToTheExceptionClass() {
        assertEquals("IOException", Errors.reason(new IOException()));
        assertEquals("refused", Errors.reason(new IOException("refused")));
    }
}
