package dev.holdfast.engine.image;

import com.fasterxml.jackson.databind.JsonNode;
import dev.holdfast.engine.api.Json;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Reads the images of an OCI image layout ({@code index.json} and {@code blobs/}) when an archive has no
 * docker-save {@code manifest.json} (buildx {@code type=oci}, skopeo). Image indexes are narrowed to this host's
 * platform; tags come from the {@code io.containerd.image.name} annotation, or from
 * {@code org.opencontainers.image.ref.name} when that is a full reference.
 */
final class OciLayout {
    private static final Pattern DIGEST = Pattern.compile("sha256:[a-f0-9]{64}");
    private static final String NAME_ANNOTATION = "io.containerd.image.name";
    private static final String REF_ANNOTATION = "org.opencontainers.image.ref.name";

    private final SaveArchive archive;

    OciLayout(SaveArchive archive) {
        this.archive = archive;
    }

    List<SaveArchive.Entry> entries() throws IOException {
        List<SaveArchive.Entry> entries = new ArrayList<>();
        for (JsonNode descriptor : readJson("index.json").path("manifests")) {
            JsonNode manifest = resolveManifest(descriptor);
            if (manifest == null) {
                continue;
            }
            List<String> layers = new ArrayList<>();
            for (JsonNode layer : manifest.path("layers")) {
                layers.add(blobPath(layer.path("digest").asText()));
            }
            String config = blobPath(manifest.path("config").path("digest").asText());
            entries.add(new SaveArchive.Entry(config, tags(descriptor), List.copyOf(layers)));
        }
        if (entries.isEmpty()) {
            throw ImageException.invalid("invalid OCI layout: no image for linux/" + ImportedConfig.hostArchitecture());
        }
        return entries;
    }

    /** The image manifest a descriptor names, choosing this platform inside an index; null when none fits. */
    private JsonNode resolveManifest(JsonNode descriptor) throws IOException {
        JsonNode blob = readJson(blobPath(descriptor.path("digest").asText()));
        if (!blob.has("manifests")) {
            return blob;
        }
        for (JsonNode child : blob.path("manifests")) {
            JsonNode platform = child.path("platform");
            if (platform.path("os").asText().equals("linux")
                    && platform.path("architecture").asText().equals(ImportedConfig.hostArchitecture())) {
                return resolveManifest(child);
            }
        }
        return null;
    }

    private static List<String> tags(JsonNode descriptor) {
        JsonNode annotations = descriptor.path("annotations");
        String name = annotations.path(NAME_ANNOTATION).asText("");
        if (name.isEmpty()) {
            String ref = annotations.path(REF_ANNOTATION).asText("");
            // A bare tag ("latest") names no repository: the image loads untagged.
            name = ref.contains(":") || ref.contains("/") ? ref : "";
        }
        return name.isEmpty() ? List.of() : List.of(name);
    }

    private JsonNode readJson(String path) throws IOException {
        try {
            JsonNode node = Json.MAPPER.readTree(archive.read(path));
            if (node == null || !node.isObject()) {
                throw ImageException.invalid("invalid OCI layout: " + path + " is not a JSON object");
            }
            return node;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw ImageException.invalid("invalid OCI layout: " + path + ": " + e.getOriginalMessage());
        }
    }

    private static String blobPath(String digest) {
        if (!DIGEST.matcher(digest).matches()) {
            throw ImageException.invalid("invalid OCI layout: unsupported digest \"" + digest + "\"");
        }
        return "blobs/sha256/" + digest.substring(7);
    }
}
