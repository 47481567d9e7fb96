package dev.holdfast.supervisor.bundle;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * How a process ended: {@code exit.json} in its directory
 * ({@code {"pid":123,"exit_code":7,"exited_at":"2026-11-22T03:58:37.123456789Z","oom_killed":true}}).
 * The exit code is the process's code, or 128 + signal. The shim writes the record without {@code oom_killed}; the
 * supervisor adds it for a task's init once it has read the task's memory cgroup (empty until then).
 */
public record ExitRecord(int pid, int exitCode, Instant exitedAt, Optional<Boolean> oomKilled) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A record whose OOM verdict is not known yet. */
    public ExitRecord(int pid, int exitCode, Instant exitedAt) {
        this(pid, exitCode, exitedAt, Optional.empty());
    }

    /** Parses exit.json's content. */
    public static ExitRecord parse(byte[] json) throws IOException {
        JsonNode node = JSON.readTree(json);
        if (node == null || !node.isObject() || !node.path("exit_code").isInt() || !node.path("exited_at").isTextual()) {
            throw new IOException("malformed exit.json: " + new String(json, StandardCharsets.UTF_8).strip());
        }
        JsonNode oom = node.path("oom_killed");
        try {
            return new ExitRecord(node.path("pid").asInt(0), node.path("exit_code").asInt(),
                    Instant.parse(node.path("exited_at").asText()),
                    oom.isBoolean() ? Optional.of(oom.asBoolean()) : Optional.empty());
        } catch (DateTimeParseException e) {
            throw new IOException("malformed exited_at in exit.json: " + node.path("exited_at").asText(), e);
        }
    }

    /** This exit with the OOM verdict settled. */
    public ExitRecord withOomKilled(boolean killed) {
        return new ExitRecord(pid, exitCode, exitedAt, Optional.of(killed));
    }

    /** exit.json's content. */
    public byte[] toJson() {
        ObjectNode node = JSON.createObjectNode();
        node.put("pid", pid);
        node.put("exit_code", exitCode);
        node.put("exited_at", exitedAt.toString());
        oomKilled.ifPresent(killed -> node.put("oom_killed", killed));
        try {
            return (JSON.writeValueAsString(node) + "\n").getBytes(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
