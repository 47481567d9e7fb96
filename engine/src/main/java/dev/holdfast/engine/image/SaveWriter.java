package dev.holdfast.engine.image;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.holdfast.engine.api.Json;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Writes {@code docker save}'s archive as dockerd 25+ does, an OCI image layout that older loaders read too:
 * {@code blobs/sha256/} (configs, OCI manifests, uncompressed layer tars named by their diff ids),
 * {@code index.json}, {@code oci-layout}, and Docker's {@code manifest.json} and {@code repositories}. Streamed:
 * each layer is read from its stored blob (decompressed on the fly) straight into the archive.
 */
final class SaveWriter {
    private static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    private static final String OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
    private static final String OCI_LAYER = "application/vnd.oci.image.layer.v1.tar";

    /** A layer to write: its diff id, the stored blob it was unpacked from, and its uncompressed length. */
    record LayerFile(String diffId, Path blob, long tarSize) {}

    /** An image to write with the tags it is saved under (none when it was named by id). */
    record SavedImage(String id, byte[] config, List<ImageReference> tags, List<LayerFile> layers) {}

    private final TarArchiveOutputStream tar;
    private final BufferedOutputStream buffered;
    private final Set<String> written = new HashSet<>();

    SaveWriter(OutputStream out) {
        buffered = new BufferedOutputStream(out, 256 * 1024);
        tar = new TarArchiveOutputStream(buffered, "UTF-8");
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
    }

    void write(List<SavedImage> images) throws IOException {
        ArrayNode manifest = Json.MAPPER.createArrayNode();
        ArrayNode index = Json.MAPPER.createArrayNode();
        Map<String, Map<String, String>> repositories = new LinkedHashMap<>();
        for (SavedImage image : images) {
            blob(image.id(), image.config());
            ObjectNode ociManifest = Json.MAPPER.createObjectNode();
            ociManifest.put("schemaVersion", 2);
            ociManifest.put("mediaType", OCI_MANIFEST);
            ociManifest.set("config", descriptor(OCI_CONFIG, image.id(), image.config().length));
            ArrayNode layers = ociManifest.putArray("layers");
            ObjectNode entry = manifest.addObject();
            entry.put("Config", "blobs/sha256/" + hex(image.id()));
            ArrayNode repoTags = entry.putArray("RepoTags");
            ArrayNode layerPaths = entry.putArray("Layers");
            for (LayerFile layer : image.layers()) {
                layerBlob(layer);
                layers.add(descriptor(OCI_LAYER, layer.diffId(), layer.tarSize()));
                layerPaths.add("blobs/sha256/" + hex(layer.diffId()));
            }
            byte[] manifestBytes = Json.MAPPER.writeValueAsBytes(ociManifest);
            String manifestDigest = ImageStore.sha256(manifestBytes);
            blob(manifestDigest, manifestBytes);
            if (image.tags().isEmpty()) {
                index.add(descriptor(OCI_MANIFEST, manifestDigest, manifestBytes.length));
            }
            for (ImageReference tag : image.tags()) {
                repoTags.add(tag.familiarString());
                ObjectNode d = descriptor(OCI_MANIFEST, manifestDigest, manifestBytes.length);
                ObjectNode annotations = d.putObject("annotations");
                annotations.put("io.containerd.image.name", tag.toString());
                annotations.put("org.opencontainers.image.ref.name", tag.tag());
                index.add(d);
                if (!image.layers().isEmpty()) {
                    repositories.computeIfAbsent(tag.familiarName(), k -> new LinkedHashMap<>())
                            .put(tag.tag(), hex(image.layers().get(image.layers().size() - 1).diffId()));
                }
            }
        }
        file("oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        ObjectNode indexJson = Json.MAPPER.createObjectNode();
        indexJson.put("schemaVersion", 2);
        indexJson.put("mediaType", "application/vnd.oci.image.index.v1+json");
        indexJson.set("manifests", index);
        file("index.json", Json.MAPPER.writeValueAsBytes(indexJson));
        file("manifest.json", Json.MAPPER.writeValueAsBytes(manifest));
        if (!repositories.isEmpty()) {
            file("repositories", Json.MAPPER.writeValueAsBytes(repositories));
        }
        tar.finish();
        buffered.flush(); // the tar stream's own flush does not reach it
    }

    private static ObjectNode descriptor(String mediaType, String digest, long size) {
        ObjectNode d = Json.MAPPER.createObjectNode();
        d.put("mediaType", mediaType);
        d.put("digest", digest);
        d.put("size", size);
        return d;
    }

    private void blob(String digest, byte[] bytes) throws IOException {
        if (written.add(digest)) {
            directories();
            file("blobs/sha256/" + hex(digest), bytes);
        }
    }

    private void layerBlob(LayerFile layer) throws IOException {
        if (!written.add(layer.diffId())) {
            return;
        }
        directories();
        TarArchiveEntry entry = new TarArchiveEntry("blobs/sha256/" + hex(layer.diffId()));
        entry.setSize(layer.tarSize());
        entry.setMode(0444);
        tar.putArchiveEntry(entry);
        try (InputStream in = Decompression.open(Files.newInputStream(layer.blob()))) {
            long copied = in.transferTo(tar);
            if (copied != layer.tarSize()) {
                throw new IOException("layer " + layer.diffId() + " unpacks to " + copied + " bytes, not the "
                        + layer.tarSize() + " recorded");
            }
        }
        tar.closeArchiveEntry();
    }

    private void directories() throws IOException {
        if (written.add("blobs/")) {
            for (String dir : List.of("blobs/", "blobs/sha256/")) {
                TarArchiveEntry entry = new TarArchiveEntry(dir);
                entry.setMode(0755);
                tar.putArchiveEntry(entry);
                tar.closeArchiveEntry();
            }
        }
    }

    private void file(String name, byte[] bytes) throws IOException {
        TarArchiveEntry entry = new TarArchiveEntry(name);
        entry.setSize(bytes.length);
        entry.setMode(0444);
        tar.putArchiveEntry(entry);
        tar.write(bytes);
        tar.closeArchiveEntry();
    }

    private static String hex(String digest) {
        return digest.substring(digest.indexOf(':') + 1);
    }
}
