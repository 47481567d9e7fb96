package dev.holdfast.engine.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.holdfast.engine.api.Json;
import dev.holdfast.engine.health.HealthConfig;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The parsed image config JSON (the document whose sha256 is the image id): platform, provenance, the container
 * defaults and the layer diff ids. The raw {@code config} object is kept too, so that inspect shows fields holdfast
 * does not model (Shell, OnBuild…).
 *
 * @param created null when the image does not say
 * @param history oldest first, as in the document
 */
public record ImageDocument(
        String architecture,
        String variant,
        String os,
        String osVersion,
        Instant created,
        String author,
        String comment,
        String dockerVersion,
        ImageConfig config,
        ObjectNode rawConfig,
        List<String> diffIds,
        List<HistoryEntry> history,
        String container,
        ObjectNode rawContainerConfig) {

    /** One step of how the image was made; {@code emptyLayer} steps changed only the config. */
    public record HistoryEntry(Instant created, String createdBy, String comment, boolean emptyLayer) {}

    public static ImageDocument parse(byte[] json) {
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(json);
        } catch (IOException e) {
            throw ImageException.invalid("invalid image config JSON: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw ImageException.invalid("invalid image config: not a JSON object");
        }
        JsonNode rootfs = root.path("rootfs");
        if (!rootfs.path("type").asText().equals("layers")) {
            throw ImageException.invalid("invalid image config: rootfs type is not \"layers\"");
        }
        List<String> diffIds = new ArrayList<>();
        for (JsonNode id : rootfs.path("diff_ids")) {
            if (!ImageReference.isFullId(id.asText()) || !id.asText().startsWith("sha256:")) {
                throw ImageException.invalid("invalid image config: bad diff id " + id);
            }
            diffIds.add(id.asText());
        }
        List<HistoryEntry> history = new ArrayList<>();
        for (JsonNode h : root.path("history")) {
            history.add(new HistoryEntry(time(h.path("created")), h.path("created_by").asText(""),
                    h.path("comment").asText(""), h.path("empty_layer").asBoolean(false)));
        }
        JsonNode configNode = root.path("config");
        ObjectNode rawConfig = configNode.isObject() ? (ObjectNode) configNode.deepCopy() : Json.MAPPER.createObjectNode();
        return new ImageDocument(
                root.path("architecture").asText(""),
                root.path("variant").asText(""),
                root.path("os").asText(""),
                root.path("os.version").asText(""),
                time(root.path("created")),
                root.path("author").asText(""),
                root.path("comment").asText(""),
                root.path("docker_version").asText(""),
                containerDefaults(rawConfig),
                rawConfig,
                List.copyOf(diffIds),
                List.copyOf(history),
                root.path("container").asText(""),
                root.path("container_config").isObject() ? (ObjectNode) root.path("container_config").deepCopy()
                        : Json.MAPPER.createObjectNode());
    }

    private static ImageConfig containerDefaults(JsonNode c) {
        return new ImageConfig(
                strings(c.path("Cmd")),
                strings(c.path("Entrypoint")),
                strings(c.path("Env")),
                c.path("WorkingDir").asText(""),
                c.path("User").asText(""),
                stringMap(c.path("Labels")),
                objectKeys(c.path("ExposedPorts")),
                objectKeys(c.path("Volumes")),
                c.path("StopSignal").asText(""),
                healthcheck(c.path("Healthcheck")));
    }

    /** The image's healthcheck; one that cannot be read is taken as none rather than failing the image. */
    private static HealthConfig healthcheck(JsonNode node) {
        if (!node.isObject()) {
            return null;
        }
        try {
            return Json.MAPPER.treeToValue(node, HealthConfig.class);
        } catch (IOException e) {
            return null;
        }
    }

    private static Instant time(JsonNode node) {
        if (!node.isTextual() || node.asText().isEmpty()) {
            return null;
        }
        try {
            return Instant.parse(node.asText());
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private static List<String> strings(JsonNode node) {
        List<String> out = new ArrayList<>();
        node.forEach(n -> out.add(n.asText()));
        return List.copyOf(out);
    }

    private static Map<String, String> stringMap(JsonNode node) {
        Map<String, String> out = new LinkedHashMap<>();
        node.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
        return java.util.Collections.unmodifiableMap(out);
    }

    private static Map<String, Object> objectKeys(JsonNode node) {
        Map<String, Object> out = new LinkedHashMap<>();
        node.fieldNames().forEachRemaining(k -> out.put(k, Map.of()));
        return java.util.Collections.unmodifiableMap(out);
    }
}
