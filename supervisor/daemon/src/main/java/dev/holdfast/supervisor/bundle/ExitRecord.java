package dev.holdfast.supervisor.bundle;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * How a task's init process ended: {@code exit.json} in the task directory
 * ({@code {"pid":123,"exit_code":7,"exited_at":"2026-11-22T03:58:37.123456789Z"}}).
 * The exit code is the process's code, or 128 + signal.
 */
public record ExitRecord(int pid, int exitCode, Instant exitedAt) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Parses exit.json's content. */
    public static ExitRecord parse(byte[] json) throws IOException {
        JsonNode node = JSON.readTree(json);
        if (node == null || !node.isObject() || !node.path("exit_code").isInt() || !node.path("exited_at").isTextual()) {
            throw new IOException("malformed exit.json: " + new String(json, StandardCharsets.UTF_8).strip());
        }
        try {
            return new ExitRecord(node.path("pid").asInt(0), node.path("exit_code").asInt(),
                    Instant.parse(node.path("exited_at").asText()));
        } catch (DateTimeParseException e) {
            throw new IOException("malformed exited_at in exit.json: " + node.path("exited_at").asText(), e);
        }
    }

    /** exit.json's content, as the shim writes it. */
    public byte[] toJson() {
        ObjectNode node = JSON.createObjectNode();
        node.put("pid", pid);
        node.put("exit_code", exitCode);
        node.put("exited_at", exitedAt.toString());
        try {
            return (JSON.writeValueAsString(node) + "\n").getBytes(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
