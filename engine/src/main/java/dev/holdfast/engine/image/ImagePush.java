package dev.holdfast.engine.image;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.holdfast.engine.api.Json;
import dev.holdfast.engine.registry.Credentials;
import dev.holdfast.engine.registry.Registries;
import dev.holdfast.engine.registry.RegistryClient;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * {@code docker push}: each layer as a gzip blob (the one pulled, or one compressed at the first push), skipped when
 * the registry has it already, then the config and a Docker schema 2 manifest under the tag. Progress goes out as
 * Docker's JSON messages, ending with the {@code aux} message that carries the digest.
 */
final class ImagePush {
    private static final String DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json";
    private static final String DOCKER_LAYER = "application/vnd.docker.image.rootfs.diff.tar.gzip";

    /** What is pushed: the image's config and its layers, leased by the caller. */
    record Plan(String id, byte[] config, List<LayerStore.Layer> layers) {}

    private final ContentStore content;
    private final LayerStore layerStore;
    private final ImagePull.Progress progress;

    ImagePush(ContentStore content, LayerStore layerStore, ImagePull.Progress progress) {
        this.content = content;
        this.layerStore = layerStore;
        this.progress = progress;
    }

    /** Returns the manifest's digest. */
    String push(ImageReference reference, Plan plan, Credentials credentials, Registries registries)
            throws IOException {
        List<URI> endpoints = registries.endpoints(reference.domain());
        RegistryClient registry = registries.client(endpoints.get(endpoints.size() - 1), reference.path(),
                credentials, true);
        progress.status(null, "The push refers to repository [" + reference.domain() + "/" + reference.path() + "]");
        ObjectNode manifest = Json.MAPPER.createObjectNode();
        manifest.put("schemaVersion", 2);
        manifest.put("mediaType", ImagePull.DOCKER_MANIFEST);
        ObjectNode config = manifest.putObject("config");
        config.put("mediaType", DOCKER_CONFIG);
        config.put("size", plan.config().length);
        config.put("digest", plan.id());
        ArrayNode layers = manifest.putArray("layers");
        for (LayerStore.Layer leased : plan.layers()) {
            String shortId = ImagePull.shortId(leased.diffId());
            progress.status(shortId, "Preparing");
            LayerStore.Layer layer = layerStore.withPushBlob(leased);
            Path blob = content.blob(layer.pushBlob()).orElseThrow();
            long size = Files.size(blob);
            if (registry.hasBlob(layer.pushBlob())) {
                progress.status(shortId, "Layer already exists");
            } else {
                progress.progress(shortId, "Pushing", 0, size);
                registry.putBlob(layer.pushBlob(), blob);
                progress.status(shortId, "Pushed");
            }
            ObjectNode descriptor = layers.addObject();
            descriptor.put("mediaType", DOCKER_LAYER);
            descriptor.put("size", size);
            descriptor.put("digest", layer.pushBlob());
        }
        if (!registry.hasBlob(plan.id())) {
            Path configBlob = Files.createTempFile("holdfast-config", ".json");
            try {
                Files.write(configBlob, plan.config());
                registry.putBlob(plan.id(), configBlob);
            } finally {
                Files.deleteIfExists(configBlob);
            }
        }
        byte[] bytes = Json.MAPPER.writeValueAsBytes(manifest);
        String digest = registry.putManifest(reference.tag(), bytes, ImagePull.DOCKER_MANIFEST);
        progress.status(null, reference.tag() + ": digest: " + digest + " size: " + bytes.length);
        progress.send(Map.of("progressDetail", Map.of(), "aux", Map.of("Tag", reference.tag(), "Digest", digest,
                "Size", bytes.length)));
        return digest;
    }
}
