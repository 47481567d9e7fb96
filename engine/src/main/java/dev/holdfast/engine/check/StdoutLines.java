package dev.holdfast.engine.check;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.holdfast.engine.api.Json;
import dev.holdfast.engine.log.LogFiles;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A container's standard output as {@code docker logs} shows it: the complete lines of its json-file log. */
final class StdoutLines {
    private StdoutLines() {}

    /** Rotated files first; an entry that is not JSON (a torn last write) is skipped, a line not ended is left out. */
    static List<String> read(LogFiles log) throws IOException {
        List<String> complete = new ArrayList<>();
        StringBuilder partial = new StringBuilder();
        for (Path file : log.oldestFirst()) {
            // Latin-1 decodes any bytes: output that is not UTF-8 is no counter, but must not stop the check.
            try (BufferedReader entries = Files.newBufferedReader(file, StandardCharsets.ISO_8859_1)) {
                for (String entry = entries.readLine(); entry != null; entry = entries.readLine()) {
                    JsonNode json;
                    try {
                        json = Json.MAPPER.readTree(entry);
                    } catch (JsonProcessingException torn) {
                        continue;
                    }
                    if (json.path("stream").asText().equals("stdout")) {
                        // The shim splits a long line into entries; the last one ends with the newline.
                        partial.append(json.path("log").asText());
                        if (!partial.isEmpty() && partial.charAt(partial.length() - 1) == '\n') {
                            complete.add(partial.substring(0, partial.length() - 1));
                            partial.setLength(0);
                        }
                    }
                }
            } catch (NoSuchFileException rotatedAway) {
                // Rotated out of existence while listed: the older lines are gone anyway.
            }
        }
        return complete;
    }
}
