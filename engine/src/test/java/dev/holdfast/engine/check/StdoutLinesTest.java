package dev.holdfast.engine.check;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.holdfast.engine.log.LogFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Standard output lines out of a json-file log: rotated files first, split lines joined, stderr and torn entries out. */
class StdoutLinesTest {
    @TempDir
    Path dir;

    @Test
    void completeStdoutLinesOldestFileFirst() throws IOException {
        Path live = dir.resolve("c-json.log");
        Files.writeString(dir.resolve("c-json.log.1"), entry("0\\n", "stdout") + entry("oops\\n", "stderr")
                + entry("1\\n", "stdout"));
        Files.writeString(live, entry("2", "stdout") + entry("3\\n", "stdout") + "{\"log\":\"4\\n\",\"str\n"
                + entry("5\\n", "stdout") + entry("6", "stdout"));
        assertEquals(List.of("0", "1", "23", "5"), StdoutLines.read(new LogFiles(live)));
    }

    @Test
    void noLogNoLines() throws IOException {
        assertEquals(List.of(), StdoutLines.read(new LogFiles(dir.resolve("absent-json.log"))));
    }

    private static String entry(String text, String stream) {
        return "{\"log\":\"" + text + "\",\"stream\":\"" + stream + "\",\"time\":\"2026-12-04T03:00:00.000000001Z\"}\n";
    }
}
