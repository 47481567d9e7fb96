package dev.holdfast.supervisor.runc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * runc's error text from its stderr under {@code --log-format json}: the {@code msg} of each error or fatal line,
 * joined with "; ". Lines that are not JSON (a crash, a wrapper script) are kept as they are.
 */
final class RuncErrors {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_MESSAGE = 2000;

    private RuncErrors() {}

    static String message(byte[] stderr, byte[] stdout) {
        List<String> errors = new ArrayList<>();
        List<String> other = new ArrayList<>();
        for (String line : new String(stderr, StandardCharsets.UTF_8).split("\n")) {
            String l = line.strip();
            if (l.isEmpty()) {
                continue;
            }
            JsonNode node = parse(l);
            if (node == null) {
                other.add(l);
            } else if (node.path("msg").isTextual()) {
                String level = node.path("level").asText("");
                if (level.equals("error") || level.equals("fatal") || level.equals("panic")) {
                    errors.add(node.path("msg").asText());
                }
            }
        }
        String text = !errors.isEmpty() ? String.join("; ", errors)
                : !other.isEmpty() ? String.join("; ", other)
                : new String(stdout, StandardCharsets.UTF_8).strip().replace('\n', ' ');
        return text.length() <= MAX_MESSAGE ? text : text.substring(0, MAX_MESSAGE) + "...";
    }

    private static JsonNode parse(String line) {
        if (!line.startsWith("{")) {
            return null;
        }
        try {
            JsonNode node = JSON.readTree(line);
            return node != null && node.isObject() ? node : null;
        } catch (IOException e) {
            return null;
        }
    }
}
