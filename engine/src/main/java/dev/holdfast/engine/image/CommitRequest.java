package dev.holdfast.engine.image;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.holdfast.engine.api.Json;
import dev.holdfast.engine.api.SystemRoutes;
import java.io.IOException;
import java.time.Instant;
import java.util.List;

/**
 * What {@code docker commit} asks for, and the image config it gives: the parent image's config with the
 * container's own config (overridden by the request's, then by the {@code --change} instructions), one more history
 * entry and one more diff id.
 *
 * @param containerConfig the container's {@code Config} as Docker's JSON, with the request body's fields over it
 * @param createdBy the container's command line, for the history entry
 */
public record CommitRequest(String containerId, ObjectNode containerConfig, String author, String comment,
        List<String> changes, String createdBy) {

    /** Checks the instructions before any layer is written: a bad one is a 400 that changed nothing. */
    public CommitRequest {
        ConfigChanges.apply(changes, containerConfig.deepCopy());
    }

    byte[] config(byte[] parentConfig, List<String> diffIds, Instant created) throws IOException {
        ObjectNode root = (ObjectNode) Json.MAPPER.readTree(parentConfig);
        ObjectNode config = containerConfig.deepCopy();
        ConfigChanges.apply(changes, config);
        String time = Rfc3339.format(created);
        root.set("config", config);
        root.put("container", containerId);
        root.set("container_config", containerConfig.deepCopy());
        root.put("created", time);
        root.put("docker_version", SystemRoutes.ENGINE_VERSION);
        if (author != null && !author.isEmpty()) {
            root.put("author", author);
        }
        if (comment != null && !comment.isEmpty()) {
            root.put("comment", comment);
        }
        ArrayNode history = root.has("history") && root.get("history").isArray()
                ? (ArrayNode) root.get("history") : root.putArray("history");
        ObjectNode entry = history.addObject();
        entry.put("created", time);
        entry.put("created_by", createdBy);
        if (comment != null && !comment.isEmpty()) {
            entry.put("comment", comment);
        }
        ObjectNode rootfs = root.putObject("rootfs");
        rootfs.put("type", "layers");
        ArrayNode ids = rootfs.putArray("diff_ids");
        diffIds.forEach(ids::add);
        return Json.MAPPER.writeValueAsBytes(root);
    }
}
