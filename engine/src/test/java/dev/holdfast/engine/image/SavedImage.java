package dev.holdfast.engine.image;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.holdfast.engine.api.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/** Builds docker-save archives for tests: a config with the right diff ids, a manifest, the layer tars. */
final class SavedImage {
    private final List<byte[]> layers = new ArrayList<>();
    private final List<String> tags = new ArrayList<>();
    private final ObjectNode containerConfig = Json.MAPPER.createObjectNode();
    private boolean gzipLayers;

    SavedImage layer(byte[] tar) {
        layers.add(tar);
        return this;
    }

    SavedImage tag(String tag) {
        tags.add(tag);
        return this;
    }

    SavedImage gzipLayers() {
        gzipLayers = true;
        return this;
    }

    ObjectNode config() {
        return containerConfig;
    }

    byte[] configJson() {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("architecture", "amd64");
        root.put("os", "linux");
        root.put("created", "2024-01-01T00:00:00Z");
        root.set("config", containerConfig);
        ObjectNode rootfs = root.putObject("rootfs");
        rootfs.put("type", "layers");
        ArrayNode ids = rootfs.putArray("diff_ids");
        ArrayNode history = root.putArray("history");
        for (byte[] layer : layers) {
            ids.add(sha256(layer));
            history.addObject().put("created", "2024-01-01T00:00:00Z").put("created_by", "test layer");
        }
        try {
            return Json.MAPPER.writeValueAsBytes(root);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String configDiffId(int layer) {
        return sha256(layers.get(layer));
    }

    String id() {
        return sha256(configJson());
    }

    /** The archive in the classic docker-save layout: {@code <id>.json}, {@code <n>/layer.tar}, manifest.json. */
    byte[] archive() {
        TarBuilder tar = new TarBuilder();
        ObjectNode entry = Json.MAPPER.createObjectNode();
        String configName = id().substring(7) + ".json";
        entry.put("Config", configName);
        ArrayNode repoTags = entry.putArray("RepoTags");
        tags.forEach(repoTags::add);
        ArrayNode layerNames = entry.putArray("Layers");
        for (int i = 0; i < layers.size(); i++) {
            String name = "layer" + i + "/layer.tar";
            tar.file(name, gzipLayers ? TarBuilder.gzip(layers.get(i)) : layers.get(i), 0644, 0, 0);
            layerNames.add(name);
        }
        tar.file(configName, configJson(), 0644, 0, 0);
        try {
            ArrayNode manifest = Json.MAPPER.createArrayNode().add(entry);
            tar.file("manifest.json", Json.MAPPER.writeValueAsBytes(manifest), 0644, 0, 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return tar.build();
    }

    static String sha256(byte[] bytes) {
        return "sha256:" + HexFormat.of().formatHex(LayerUnpacker.sha256().digest(bytes));
    }
}
