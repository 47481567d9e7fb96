package dev.holdfast.engine.image;

import com.fasterxml.jackson.databind.JsonNode;
import dev.holdfast.engine.api.Json;
import dev.holdfast.engine.errdefs.DomainException;
import dev.holdfast.engine.registry.Credentials;
import dev.holdfast.engine.registry.Registries;
import dev.holdfast.engine.registry.RegistryClient;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.logging.Logger;

/**
 * {@code docker pull}: the manifest (from an index or manifest list, the one for this platform), the config, and
 * the layers the layer store lacks, downloaded three at a time into the content store (verified by digest, a cut
 * download resumed with a Range request), then unpacked in order and published as the image, tagged, with its
 * repo digest. Progress goes out as Docker's JSON messages, which the CLI draws as bars.
 */
final class ImagePull {
    private static final Logger LOG = Logger.getLogger(ImagePull.class.getName());
    static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
    static final String DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
    static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
    private static final List<String> ACCEPT = List.of(DOCKER_MANIFEST, DOCKER_LIST, OCI_MANIFEST, OCI_INDEX);
    private static final int PARALLEL_DOWNLOADS = 3;
    private static final int ATTEMPTS = 5;

    private final ImageStore store;
    private final ContentStore content;
    private final LayerStore layers;
    private final Progress progress;

    ImagePull(ImageStore store, ContentStore content, LayerStore layers, Progress progress) {
        this.store = store;
        this.content = content;
        this.layers = layers;
        this.progress = progress;
    }

    private record Descriptor(String mediaType, String digest, long size) {}

    /** Returns the image id. {@code platform}: {@code os/arch[/variant]}, empty for this host's. */
    String pull(ImageReference reference, String platform, Credentials credentials, Registries registries)
            throws IOException {
        String wanted = reference.digest() != null ? reference.digest() : reference.tag();
        RegistryClient.Manifest manifest = null;
        RegistryClient client = null;
        IOException unreachable = null;
        for (URI endpoint : registries.endpoints(reference.domain())) {
            client = registries.client(endpoint, reference.path(), credentials, false);
            try {
                manifest = client.manifest(wanted, ACCEPT);
                break;
            } catch (IOException e) {
                LOG.info("pull " + reference + " from " + endpoint + ": " + e.getMessage());
                unreachable = e;
            }
        }
        if (manifest == null) {
            throw unreachable;
        }
        RegistryClient registry = client;
        progress.status(wanted, "Pulling from " + reference.path());
        if (reference.digest() != null && !reference.digest().equals(manifest.digest())) {
            throw ImageException.invalid("manifest digest mismatch: asked for " + reference.digest() + ", the registry"
                    + " answered " + manifest.digest());
        }
        String repoDigest = manifest.digest();
        JsonNode json = Json.MAPPER.readTree(manifest.bytes());
        String type = manifest.mediaType().isEmpty() ? json.path("mediaType").asText() : manifest.mediaType();
        if (type.equals(DOCKER_LIST) || type.equals(OCI_INDEX)) {
            String chosen = choose(json, platform, reference);
            manifest = registry.manifest(chosen, ACCEPT);
            json = Json.MAPPER.readTree(manifest.bytes());
            type = manifest.mediaType().isEmpty() ? json.path("mediaType").asText() : manifest.mediaType();
        }
        if (!type.equals(DOCKER_MANIFEST) && !type.equals(OCI_MANIFEST)) {
            throw DomainException.notImplemented("the manifest type " + type + " of " + reference.familiarString());
        }
        Descriptor configDescriptor = descriptor(json.path("config"));
        byte[] config = smallBlob(registry, configDescriptor);
        if (!ImageStore.sha256(config).equals(configDescriptor.digest())) {
            throw ImageException.invalid("the config of " + reference.familiarString() + " does not match its digest "
                    + configDescriptor.digest());
        }
        ImageDocument document = ImageDocument.parse(config);
        List<Descriptor> layerDescriptors = new ArrayList<>();
        for (JsonNode layer : json.path("layers")) {
            layerDescriptors.add(descriptor(layer));
        }
        if (layerDescriptors.size() != document.diffIds().size()) {
            throw ImageException.invalid("the manifest of " + reference.familiarString() + " lists "
                    + layerDescriptors.size() + " layers, its config " + document.diffIds().size());
        }
        String id = store.publishPulled(reference, repoDigest, config, leased -> {
            List<String> chains = LayerStore.chainIds(document.diffIds());
            List<Future<?>> downloads = new ArrayList<>();
            ExecutorService pool = Executors.newFixedThreadPool(PARALLEL_DOWNLOADS, Thread.ofVirtual().factory());
            try {
                for (int i = 0; i < chains.size(); i++) {
                    Descriptor layer = layerDescriptors.get(i);
                    String shortId = shortId(layer.digest());
                    if (layers.find(chains.get(i)).isPresent()) {
                        progress.status(shortId, "Already exists");
                        downloads.add(null);
                    } else {
                        progress.status(shortId, "Pulling fs layer");
                        downloads.add(pool.submit(() -> {
                            download(registry, layer, shortId);
                            return null;
                        }));
                    }
                }
                for (int i = 0; i < chains.size(); i++) {
                    Descriptor layer = layerDescriptors.get(i);
                    String parent = i == 0 ? null : chains.get(i - 1);
                    if (downloads.get(i) != null) {
                        await(downloads.get(i));
                        progress.status(shortId(layer.digest()), "Extracting");
                        leased.add(layers.leaseStored(parent, document.diffIds().get(i), layer.digest(),
                                "layer " + i));
                        progress.status(shortId(layer.digest()), "Pull complete");
                    } else {
                        String chain = chains.get(i);
                        leased.addAll(layers.leaseExisting(List.of(chain)).orElseThrow(() -> new IOException(
                                "layer " + chain + " was removed while pulling; pull again")));
                    }
                }
            } finally {
                pool.shutdownNow();
            }
        });
        progress.status(null, "Digest: " + repoDigest);
        return id;
    }

    /** The manifest of an index for {@code platform} (default: linux and this host's architecture). */
    private static String choose(JsonNode index, String platform, ImageReference reference) {
        String[] wanted = (platform == null || platform.isEmpty() ? "linux/" + ImportedConfig.hostArchitecture()
                : platform).split("/");
        for (JsonNode m : index.path("manifests")) {
            JsonNode p = m.path("platform");
            if (p.path("os").asText().equals(wanted[0]) && p.path("architecture").asText().equals(wanted[1])
                    && (wanted.length < 3 || p.path("variant").asText().equals(wanted[2]))) {
                return m.path("digest").asText();
            }
        }
        throw new DomainException(dev.holdfast.engine.errdefs.ErrorKind.NOT_FOUND, "no matching manifest for "
                + String.join("/", wanted) + " in the manifest list entries of " + reference.familiarString(), null);
    }

    /** Downloads a layer blob into the content store, resuming where a cut connection left it. */
    private void download(RegistryClient client, Descriptor layer, String shortId) throws IOException {
        if (content.blob(layer.digest()).isPresent()) {
            progress.status(shortId, "Download complete");
            return;
        }
        try (ContentStore.Writer writer = content.writer()) {
            byte[] buffer = new byte[64 * 1024];
            long lastReport = 0;
            for (int attempt = 1; ; attempt++) {
                try (InputStream in = client.blob(layer.digest(), writer.size())) {
                    int n;
                    while ((n = in.read(buffer)) > 0) {
                        writer.write(buffer, 0, n);
                        if (writer.size() - lastReport >= 512 * 1024 || writer.size() == layer.size()) {
                            lastReport = writer.size();
                            progress.progress(shortId, "Downloading", writer.size(), layer.size());
                        }
                    }
                    if (layer.size() <= 0 || writer.size() >= layer.size()) {
                        break;
                    }
                    throw new IOException("the download ended after " + writer.size() + " of " + layer.size()
                            + " bytes");
                } catch (IOException e) {
                    if (attempt >= ATTEMPTS) {
                        throw new IOException("downloading layer " + layer.digest() + " failed " + attempt
                                + " times: " + e.getMessage(), e);
                    }
                    progress.status(shortId, "Retrying in " + attempt + " second" + (attempt == 1 ? "" : "s"));
                    sleepBeforeRetry(attempt);
                }
            }
            progress.status(shortId, "Verifying Checksum");
            writer.commit(layer.digest());
            progress.status(shortId, "Download complete");
        }
    }

    /** A config: read whole, again from the start if the connection breaks. */
    private static byte[] smallBlob(RegistryClient registry, Descriptor descriptor) throws IOException {
        for (int attempt = 1; ; attempt++) {
            try (InputStream in = registry.blob(descriptor.digest(), 0)) {
                return in.readAllBytes();
            } catch (IOException e) {
                if (attempt >= ATTEMPTS) {
                    throw new IOException("downloading " + descriptor.digest() + " failed " + attempt + " times: "
                            + e.getMessage(), e);
                }
                sleepBeforeRetry(attempt);
            }
        }
    }

    private static void sleepBeforeRetry(int attempt) throws IOException {
        try {
            Thread.sleep(attempt * 1000L); // backing off from a registry that just failed
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while retrying a download", e);
        }
    }

    private static void await(Future<?> download) throws IOException {
        try {
            download.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IOException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while downloading", e);
        }
    }

    private static Descriptor descriptor(JsonNode node) {
        String digest = node.path("digest").asText("");
        if (!digest.matches("sha256:[a-f0-9]{64}")) {
            throw ImageException.invalid("invalid digest in manifest: \"" + digest + "\"");
        }
        return new Descriptor(node.path("mediaType").asText(""), digest, node.path("size").asLong(-1));
    }

    static String shortId(String digest) {
        return digest.substring(7, 19);
    }

    /** Docker's pull and push progress messages, as the CLI reads them. */
    interface Progress {
        void send(Map<String, Object> message);

        default void status(String id, String status) {
            send(id == null ? Map.of("status", status) : Map.of("status", status, "id", id));
        }

        default void progress(String id, String status, long current, long total) {
            send(Map.of("status", status, "id", id, "progressDetail", Map.of("current", current, "total", total)));
        }
    }
}
