package dev.holdfast.engine.image;

import dev.holdfast.engine.api.Json;
import dev.holdfast.engine.store.AtomicFiles;
import dev.holdfast.engine.store.FileTrees;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.io.input.TeeInputStream;
import org.apache.commons.io.output.CloseShieldOutputStream;

/**
 * Image layers, each unpacked once and shared by every image that stacks it: {@code <data>/layers/<chain>/diff/}
 * (overlayfs' form, see {@link LayerUnpacker}) and {@code layer.json}. A layer is named by its chain id, as in
 * containerd and the OCI spec: the first layer's is its diff id, each next one's the sha256 of
 * {@code "<parent chain id> <diff id>"}, so the same diff on another base is another layer.
 *
 * <p>A layer appears by the rename of a complete directory ({@code .tmp-*} first, deleted at boot if a crash left
 * it). Layers no image (nor a container of a removed image) refers to are deleted by {@link #retainOnly}; layers
 * being unpacked for an image not yet published are leased meanwhile, so that a concurrent removal cannot take
 * them.
 */
final class LayerStore {
    private static final Logger LOG = Logger.getLogger(LayerStore.class.getName());
    private static final String TEMP_PREFIX = ".tmp-";
    private static final String RECORD = "layer.json";

    /**
     * One layer as recorded in {@code layer.json}.
     *
     * @param size the bytes of its regular files
     * @param blob the digest of the blob it was unpacked from, kept in the {@link ContentStore} as received
     * @param compression of that blob: {@code gzip}, {@code bzip2} or {@code none}
     * @param tarSize the length of its uncompressed tar (what {@code docker save} writes)
     * @param gzipBlob the blob pushed for it when {@code blob} is not gzip already (made at the first push), or null
     */
    record Layer(String chainId, String diffId, String parent, long size, String blob, String compression,
            long tarSize, String gzipBlob) {
        /** The blob a registry gets: gzip, as dockerd pushes layers. */
        String pushBlob() {
            return compression.equals("gzip") ? blob : gzipBlob;
        }

        Layer withGzipBlob(String digest) {
            return new Layer(chainId, diffId, parent, size, blob, compression, tarSize, digest);
        }
    }

    private final Path dir;
    private final ContentStore content;
    private final Map<String, Layer> layers = new HashMap<>();
    private final Map<String, Integer> leases = new HashMap<>();

    LayerStore(Path dataRoot, ContentStore content) throws IOException {
        this.dir = dataRoot.resolve("layers");
        this.content = content;
        Files.createDirectories(dir);
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                if (entry.getFileName().toString().startsWith(TEMP_PREFIX)) {
                    continue;
                }
                try {
                    Layer layer = Json.MAPPER.readValue(entry.resolve(RECORD).toFile(), Layer.class);
                    layers.put(layer.chainId(), layer);
                } catch (IOException e) {
                    LOG.log(Level.WARNING, "skipping layer directory " + entry + " without a readable record: "
                            + e.getMessage());
                }
            }
        }
    }

    /**
     * At boot, before any pull runs: deletes staging directories and layer directories without a readable record
     * (a crash left them), and half-written downloads.
     */
    synchronized void removeLeftovers() throws IOException {
        Set<String> known = new HashSet<>();
        layers.keySet().forEach(chainId -> known.add(hex(chainId)));
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (!known.contains(name)) {
                    LOG.info("deleting layer directory " + entry + ": " + (name.startsWith(TEMP_PREFIX)
                            ? "left by a crash" : "no readable record"));
                    FileTrees.deleteRecursively(entry);
                }
            }
        }
        content.removeIngest();
    }

    static String chainId(String parentChainId, String diffId) {
        if (parentChainId == null) {
            return diffId;
        }
        return "sha256:" + HexFormat.of().formatHex(LayerUnpacker.sha256()
                .digest((parentChainId + " " + diffId).getBytes(StandardCharsets.UTF_8)));
    }

    /** The chain ids of a stack of diff ids, bottom first. */
    static List<String> chainIds(List<String> diffIds) {
        List<String> chains = new ArrayList<>();
        String parent = null;
        for (String diffId : diffIds) {
            parent = chainId(parent, diffId);
            chains.add(parent);
        }
        return chains;
    }

    synchronized Optional<Layer> find(String chainId) {
        return Optional.ofNullable(layers.get(chainId));
    }

    /** The unpacked files of a layer. */
    Path diff(String chainId) {
        return dir.resolve(hex(chainId)).resolve("diff");
    }

    /**
     * The layer {@code diffId} on {@code parentChainId} (null: a base layer), leased to the caller: taken as it is
     * when present, else unpacked from {@code blob}, which must then hash to {@code diffId} (null: whatever it
     * hashes to, as for an import). The caller ends the lease with {@link #release} once an image refers to it.
     * {@code what} names the layer in errors ({@code layer 0}).
     */
    Layer lease(String parentChainId, String diffId, LayerBlob blob, String what) throws IOException {
        return lease(parentChainId, diffId, what, diff -> {
            try (InputStream in = blob.open(); ContentStore.Writer stored = content.writer()) {
                InputStream raw = new TeeInputStream(in, stored); // stored as it streams past the unpacking
                LayerUnpacker.Unpacked unpacked = new LayerUnpacker(diff).unpack(raw);
                raw.transferTo(OutputStream.nullOutputStream()); // what follows the compressed stream, if anything
                checkDiffId(diffId, unpacked, what);
                return new Unpacking(unpacked, stored.commit(null));
            }
        });
    }

    /** As {@link #lease}, from a blob already in the content store (a pulled layer). */
    Layer leaseStored(String parentChainId, String diffId, String blobDigest, String what) throws IOException {
        return lease(parentChainId, diffId, what, diff -> {
            Path blob = content.blob(blobDigest).orElseThrow(() -> new IOException("blob " + blobDigest + " of "
                    + what + " is not in the content store"));
            try (InputStream in = Files.newInputStream(blob)) {
                LayerUnpacker.Unpacked unpacked = new LayerUnpacker(diff).unpack(in);
                checkDiffId(diffId, unpacked, what);
                return new Unpacking(unpacked, blobDigest);
            }
        });
    }

    private record Unpacking(LayerUnpacker.Unpacked unpacked, String blobDigest) {}

    @FunctionalInterface
    private interface Unpack {
        Unpacking into(Path diff) throws IOException;
    }

    private static void checkDiffId(String expected, LayerUnpacker.Unpacked unpacked, String what) {
        if (expected != null && !expected.equals(unpacked.diffId())) {
            throw ImageException.invalid("invalid diffID for " + what + ": expected \"" + expected + "\", got \""
                    + unpacked.diffId() + "\"");
        }
    }

    private Layer lease(String parentChainId, String diffId, String what, Unpack unpack) throws IOException {
        if (diffId != null) {
            synchronized (this) {
                Layer present = layers.get(chainId(parentChainId, diffId));
                if (present != null) {
                    leases.merge(present.chainId(), 1, Integer::sum);
                    return present;
                }
            }
        }
        Path staging = dir.resolve(TEMP_PREFIX + Long.toHexString(ThreadLocalRandom.current().nextLong()));
        try {
            Path diff = Files.createDirectories(staging.resolve("diff"));
            Files.setPosixFilePermissions(diff, PosixFilePermissions.fromString("rwxr-xr-x"));
            Unpacking done = unpack.into(diff);
            LayerUnpacker.Unpacked unpacked = done.unpacked();
            Layer layer = new Layer(chainId(parentChainId, unpacked.diffId()), unpacked.diffId(), parentChainId,
                    unpacked.size(), done.blobDigest(), Decompression.kind(content.blob(done.blobDigest()).orElseThrow()),
                    unpacked.tarSize(), null);
            AtomicFiles.write(staging.resolve(RECORD), Json.MAPPER.writeValueAsBytes(layer));
            syncFilesystem(staging);
            synchronized (this) {
                Layer present = layers.get(layer.chainId());
                if (present == null) {
                    Files.move(staging, dir.resolve(hex(layer.chainId())), StandardCopyOption.ATOMIC_MOVE);
                    AtomicFiles.syncDirectory(dir);
                    layers.put(layer.chainId(), layer);
                    present = layer;
                }
                leases.merge(present.chainId(), 1, Integer::sum);
                return present;
            }
        } finally {
            FileTrees.deleteRecursively(staging);
        }
    }

    /**
     * The gzip blob a registry gets for {@code layer}: its own blob when that is gzip, else one compressed from its
     * uncompressed tar now and remembered in its record for the next push.
     */
    Layer withPushBlob(Layer layer) throws IOException {
        if (layer.pushBlob() != null && content.blob(layer.pushBlob()).isPresent()) {
            return layer;
        }
        Path blob = content.blob(layer.blob()).orElseThrow(() -> new IOException("the blob of layer "
                + layer.diffId() + " is missing"));
        String digest;
        try (InputStream tar = Decompression.open(Files.newInputStream(blob));
                ContentStore.Writer writer = content.writer()) {
            try (GZIPOutputStream gzip = new GZIPOutputStream(CloseShieldOutputStream.wrap(writer), 64 * 1024)) {
                tar.transferTo(gzip);
            }
            digest = writer.commit(null);
        }
        Layer updated = layer.withGzipBlob(digest);
        synchronized (this) {
            AtomicFiles.write(dir.resolve(hex(layer.chainId())).resolve(RECORD), Json.MAPPER.writeValueAsBytes(updated));
            layers.put(layer.chainId(), updated);
        }
        return updated;
    }

    /** Leases layers that are present (for a save that streams them); empty when one is gone. */
    synchronized Optional<List<Layer>> leaseExisting(List<String> chainIds) {
        List<Layer> found = new ArrayList<>();
        for (String chainId : chainIds) {
            Layer layer = layers.get(chainId);
            if (layer == null) {
                return Optional.empty();
            }
            found.add(layer);
        }
        found.forEach(layer -> leases.merge(layer.chainId(), 1, Integer::sum));
        return Optional.of(found);
    }

    /** Where a layer's bytes come from when it must be unpacked. */
    @FunctionalInterface
    interface LayerBlob {
        InputStream open() throws IOException;
    }

    synchronized void release(List<Layer> leased) {
        for (Layer layer : leased) {
            leases.computeIfPresent(layer.chainId(), (k, n) -> n > 1 ? n - 1 : null);
        }
    }

    /**
     * At boot, before any pull runs: deletes the blobs no layer came from (a pull that failed or was cut short after
     * downloading; its layer was never made).
     */
    synchronized void deleteOrphanBlobs() throws IOException {
        Set<String> referenced = new java.util.HashSet<>();
        for (Layer layer : layers.values()) {
            referenced.add(layer.blob());
            referenced.add(layer.gzipBlob());
        }
        for (String digest : content.digests()) {
            if (!referenced.contains(digest)) {
                LOG.info("deleting blob " + digest + ": no layer was made from it");
                content.delete(digest);
            }
        }
    }

    /** Deletes every layer that is neither in {@code used} nor leased; returns the bytes freed. */
    synchronized long retainOnly(Set<String> used) throws IOException {
        long freed = 0;
        for (Layer layer : List.copyOf(layers.values())) {
            if (used.contains(layer.chainId()) || leases.containsKey(layer.chainId())) {
                continue;
            }
            Path doomed = dir.resolve(TEMP_PREFIX + "removed-" + hex(layer.chainId()));
            Files.move(dir.resolve(hex(layer.chainId())), doomed, StandardCopyOption.ATOMIC_MOVE);
            AtomicFiles.syncDirectory(dir);
            layers.remove(layer.chainId());
            FileTrees.deleteRecursively(doomed);
            for (String blob : java.util.Arrays.asList(layer.blob(), layer.gzipBlob())) {
                if (blob != null && layers.values().stream().noneMatch(l -> blob.equals(l.blob())
                        || blob.equals(l.gzipBlob()))) {
                    content.delete(blob);
                }
            }
            freed += layer.size();
        }
        return freed;
    }

    private static String hex(String digest) {
        return digest.substring(digest.indexOf(':') + 1);
    }

    /**
     * Makes the unpacked files durable before the rename that publishes them, with one syncfs ({@code sync -f})
     * instead of an fsync per file. Without it a power loss could leave a visible layer with empty files.
     */
    private static void syncFilesystem(Path path) {
        try {
            Process sync = new ProcessBuilder("sync", "-f", path.toString()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            sync.waitFor();
        } catch (IOException e) {
            LOG.log(Level.FINE, "sync -f unavailable: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
