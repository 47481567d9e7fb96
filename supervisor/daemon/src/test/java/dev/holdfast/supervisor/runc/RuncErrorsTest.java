package dev.holdfast.supervisor.runc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RuncErrorsTest {
    private static String message(String stderr, String stdout) {
        return RuncErrors.message(stderr.getBytes(StandardCharsets.UTF_8), stdout.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void takesTheErrorMessagesOfJsonLogLines() {
        assertEquals("container does not exist", message(
                "{\"level\":\"error\",\"msg\":\"container does not exist\",\"time\":\"2026-11-22T05:00:19Z\"}\n", ""));
        assertEquals("a; b", message("""
                {"level":"warning","msg":"ignored","time":"t"}
                {"level":"error","msg":"a","time":"t"}
                {"level":"fatal","msg":"b","time":"t"}
                """, "out"));
    }

    @Test
    void fallsBackToPlainTextThenStdout() {
        assertEquals("panic: boom; goroutine 1", message("panic: boom\n\ngoroutine 1\n", ""));
        assertEquals("only stdout here", message("{\"level\":\"info\",\"msg\":\"x\"}\n", "only stdout\nhere\n"));
        assertEquals("", message("", ""));
    }
}
