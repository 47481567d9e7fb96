package dev.holdfast.engine.image;

import dev.holdfast.engine.api.Json;
import dev.holdfast.engine.registry.Credentials;
import dev.holdfast.engine.registry.Registries;
import dev.holdfast.engine.store.AtomicFiles;
import dev.holdfast.engine.store.FileTrees;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Pattern;

/**
 * The local images: {@code <data>/images/<hex>/} (config.json, image.json), their layers in the {@link LayerStore}
 * (shared between images), and the tags in {@code <data>/repositories.json}.
 *
 * <p>An image becomes visible only by the rename of a complete directory, after its layers are in place; whatever
 * {@code images/.tmp-*} directory a crash leaves is deleted at the next start, and layers no image refers to with
 * it. Lookups and metadata changes are serialized on this object; unpacking runs outside the lock.
 */
public final class ImageStore {
    private static final Logger LOG = Logger.getLogger(ImageStore.class.getName());
    private static final String TEMP_PREFIX = ".tmp-";
    /** {@code .retained-<hex>}: the record of a removed image whose layers containers still stand on. */
    private static final String RETAINED_PREFIX = ".retained-";
    private static final Pattern HEX_ID = Pattern.compile("[a-f0-9]{64}");
    private static final Pattern ID_PREFIX = Pattern.compile("(?:sha256:)?[a-f0-9]{1,64}");

    private final Path imagesDir;
    private final ContentStore content;
    private final LayerStore layers;
    private final ImageUsers users;
    private final TagStore tags;
    private final Map<String, Stored> images = new HashMap<>();

    /** An image as kept in memory: its parsed config and holdfast's record. */
    private record Stored(ImageDocument document, ImageRecord record) {}

    /** An image staged in a temporary directory, ready to be renamed into place, its layers leased meanwhile. */
    private record Staged(String id, Path dir, Stored stored, List<LayerStore.Layer> leased) {}

    /** The store as an engine's boot leaves it: read, and what a crash left removed. */
    public static ImageStore boot(Path dataRoot, ImageUsers users) throws IOException {
        ImageStore store = new ImageStore(dataRoot, users);
        store.removeLeftovers();
        return store;
    }

    public ImageStore(Path dataRoot, ImageUsers users) throws IOException {
        this.imagesDir = dataRoot.resolve("images");
        this.users = users;
        Files.createDirectories(imagesDir);
        this.content = new ContentStore(dataRoot);
        this.layers = new LayerStore(dataRoot, content);
        this.tags = new TagStore(dataRoot.resolve("repositories.json"));
        load();
    }

    /**
     * The complete images, read only: a restart's new engine reads the store while the old engine may still pull
     * into it, so what a crash may have left is deleted later, by {@link #removeLeftovers}.
     */
    private void load() throws IOException {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(imagesDir)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (!name.startsWith(TEMP_PREFIX) && Files.isDirectory(entry.resolve("rootfs"))) {
                    throw new IOException(entry + " holds an image in the layout of holdfast before layered storage"
                            + " (one unpacked rootfs per image): this engine cannot use it nor the containers made"
                            + " from it. Stop holdfast and move the data root aside, or `scripts/holdfast down --purge`"
                            + " to delete everything, then load the images again");
                }
                if (HEX_ID.matcher(name).matches()) {
                    try {
                        byte[] config = Files.readAllBytes(entry.resolve("config.json"));
                        ImageRecord record = Json.MAPPER.readValue(entry.resolve("image.json").toFile(), ImageRecord.class);
                        images.put("sha256:" + name, new Stored(ImageDocument.parse(config), record));
                    } catch (IOException | ImageException e) {
                        LOG.log(Level.WARNING, "ignoring unreadable image " + entry + ": " + e.getMessage());
                    }
                }
            }
        }
    }

    /**
     * Deletes what a crash left half-done: staging directories, removed images no container uses any more, tags of
     * images that are gone, layers and blobs nothing refers to, half-written downloads. Only for the engine that
     * owns the data root, before it serves: another engine's pull in progress looks just the same.
     */
    public synchronized void removeLeftovers() throws IOException {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(imagesDir)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (name.startsWith(TEMP_PREFIX) || name.startsWith(RETAINED_PREFIX)
                        && users.containersUsing("sha256:" + name.substring(RETAINED_PREFIX.length())).isEmpty()) {
                    FileTrees.deleteRecursively(entry);
                }
            }
        }
        tags.retainImages(images.keySet());
        layers.removeLeftovers();
        collectLayers();
        layers.deleteOrphanBlobs();
    }

    /**
     * The image a reference names, as Docker resolves it: a full id ({@code sha256:<hex>} or 64 hex), a tag
     * ({@code busybox} meaning {@code busybox:latest}), or else a unique id prefix. Invalid references find nothing.
     */
    public synchronized Optional<Image> find(String reference) {
        try {
            return resolveId(reference).map(this::image);
        } catch (ImageException e) {
            return Optional.empty(); // an invalid reference names no image
        }
    }

    /** Like {@link #find}, but says why not: Docker's "No such image" (404) or an invalid reference (400). */
    public synchronized Image get(String reference) {
        return resolveId(reference).map(this::image).orElseThrow(() -> ImageException.noSuchImage(reference));
    }

    public synchronized List<Image> list() {
        return images.keySet().stream().map(this::image).toList();
    }

    public synchronized ImageDetails details(Image image) {
        Stored stored = stored(image.id());
        String parent = stored.record().parent();
        return new ImageDetails(image(image.id()), stored.document(), stored.record().layerSizes(),
                stored.record().lastTagTime(), parent != null && images.containsKey(parent) ? parent : "");
    }

    /** The directories of {@code image}'s layers, top first, as overlayfs takes them for {@code lowerdir}. */
    public synchronized List<Path> layerDirs(Image image) {
        return layerDirs(stored(image.id()).record());
    }

    private List<Path> layerDirs(ImageRecord record) {
        List<String> chains = new ArrayList<>(LayerStore.chainIds(record.diffIds()));
        Collections.reverse(chains);
        return chains.stream().map(layers::diff).toList();
    }

    /**
     * The lower directories for the snapshots of containers made from image {@code imageId} ({@code sha256:<hex>}),
     * top first: the image's layers, also after a forced {@code docker rmi} (its record is retained for them).
     * Empty when the image is unknown.
     */
    public synchronized Optional<List<Path>> layerDirsForContainers(String imageId) {
        if (images.containsKey(imageId)) {
            return Optional.of(layerDirs(images.get(imageId).record()));
        }
        return retainedRecord(imageId).map(this::layerDirs);
    }

    /** After a container's removal: forgets a removed image's retained record, and its layers, once unused. */
    public synchronized void releaseRetained(String imageId) throws IOException {
        if (!HEX_ID.matcher(imageId.substring(imageId.indexOf(':') + 1)).matches()) {
            return;
        }
        Path retained = retained(imageId);
        if (Files.exists(retained) && users.containersUsing(imageId).isEmpty()) {
            FileTrees.deleteRecursively(retained);
            collectLayers();
        }
    }

    private Path retained(String imageId) {
        return imagesDir.resolve(RETAINED_PREFIX + imageId.substring(imageId.indexOf(':') + 1));
    }

    private Optional<ImageRecord> retainedRecord(String imageId) {
        if (!HEX_ID.matcher(imageId.substring(imageId.indexOf(':') + 1)).matches()) {
            return Optional.empty();
        }
        Path record = retained(imageId).resolve("image.json");
        if (!Files.exists(record)) {
            return Optional.empty();
        }
        try {
            return Optional.of(Json.MAPPER.readValue(record.toFile(), ImageRecord.class));
        } catch (IOException e) {
            LOG.log(Level.WARNING, "unreadable retained image record " + record + ": " + e.getMessage());
            return Optional.empty();
        }
    }

    /** Deletes the layers no image and no retained record refers to; returns the bytes freed. */
    private long collectLayers() throws IOException {
        Set<String> used = new HashSet<>();
        for (Stored stored : images.values()) {
            used.addAll(LayerStore.chainIds(stored.record().diffIds()));
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(imagesDir, RETAINED_PREFIX + "*")) {
            for (Path entry : entries) {
                retainedRecord("sha256:" + entry.getFileName().toString().substring(RETAINED_PREFIX.length()))
                        .ifPresent(r -> used.addAll(LayerStore.chainIds(r.diffIds())));
            }
        }
        return layers.retainOnly(used);
    }

    /**
     * {@code docker load}: every image of a docker-save archive (plain, gzip or bzip2), unpacked and then made
     * visible together with its tags. Returns Docker's progress lines ("Loaded image: busybox:latest"). A bad
     * archive throws {@link ImageException} before anything becomes visible.
     */
    public List<String> load(InputStream archive) throws IOException {
        Path scratch = createTempDir("load");
        List<Staged> staged = new ArrayList<>();
        try {
            SaveArchive saved;
            try {
                saved = SaveArchive.unpack(Decompression.open(archive), scratch);
            } catch (IOException e) {
                throw ImageException.invalid("invalid archive: " + e.getMessage());
            }
            List<ArchiveImage> wanted = new ArrayList<>();
            for (SaveArchive.Entry entry : saved.images()) {
                wanted.add(ArchiveImage.read(saved, entry));
            }
            Map<String, Staged> byId = new LinkedHashMap<>();
            for (ArchiveImage image : wanted) {
                if (!contains(image.id()) && !byId.containsKey(image.id())) {
                    Staged s = stage(leased -> image.leaseLayers(saved, layers, leased), diffIds -> image.config());
                    staged.add(s);
                    byId.put(image.id(), s);
                }
            }
            return commitLoad(wanted, byId.values());
        } finally {
            FileTrees.deleteRecursively(scratch);
            for (Staged s : staged) {
                FileTrees.deleteRecursively(s.dir()); // already gone when published
            }
            releaseLeases(staged);
        }
    }

    /** Once the staged images are published (or given up), their layers need no lease; unused ones go. */
    private synchronized void releaseLeases(Collection<Staged> staged) throws IOException {
        for (Staged s : staged) {
            layers.release(s.leased());
        }
        collectLayers();
    }

    private synchronized List<String> commitLoad(List<ArchiveImage> wanted, Collection<Staged> staged)
            throws IOException {
        for (Staged s : staged) {
            publish(s);
        }
        List<String> messages = new ArrayList<>();
        for (ArchiveImage image : wanted) {
            if (!images.containsKey(image.id())) {
                // It was present when unpacking was skipped, and an rmi removed it since.
                throw ImageException.conflict("image " + image.id() + " was removed while loading; load again");
            }
            if (image.repoTags().isEmpty()) {
                messages.add("Loaded image ID: " + image.id());
            }
            for (ImageReference tag : image.repoTags()) {
                Optional<String> previous = tags.get(tag);
                if (previous.isPresent() && !previous.get().equals(image.id())) {
                    messages.add("The image " + tag.familiarString() + " already exists, renaming the old one with ID "
                            + previous.get() + " to empty string");
                }
                tags.put(tag, image.id());
                messages.add("Loaded image: " + tag.familiarString());
            }
        }
        return messages;
    }

    /**
     * {@code docker import}: a one-layer image from a root filesystem tar (plain, gzip or bzip2), its config
     * built from {@code request}. Returns the new image id.
     */
    public String importRootfs(InputStream tar, ImportRequest request) throws IOException {
        ImportedConfig config = ImportedConfig.from(request);
        Staged staged = stage(leased -> {
            try {
                leased.add(layers.lease(null, null, () -> tar, "the imported layer"));
            } catch (IOException e) {
                throw ImageException.invalid("invalid archive: " + e.getMessage());
            }
        }, config::build);
        try {
            synchronized (this) {
                publish(staged);
                if (request.tag() != null) {
                    tags.put(request.tag(), staged.id());
                    setLastTagTime(staged.id());
                }
            }
            return staged.id();
        } finally {
            FileTrees.deleteRecursively(staged.dir());
            releaseLeases(List.of(staged));
        }
    }

    /**
     * {@code docker save}: the images {@code references} name, streamed ({@link SaveWriter}) to the stream {@code out}
     * opens. An image named by a tag is saved under that tag, one named by id under none. An unknown reference throws
     * before {@code out} is opened; the layers are leased while they stream.
     */
    public void save(List<String> references, Supplier<OutputStream> out) throws IOException {
        Map<String, List<ImageReference>> tagsById = new LinkedHashMap<>();
        List<SaveWriter.SavedImage> saved = new ArrayList<>();
        List<LayerStore.Layer> leased = new ArrayList<>();
        synchronized (this) {
            for (String reference : references) {
                String id = resolveId(reference).orElseThrow(() -> ImageException.noSuchImage(reference));
                List<ImageReference> tagged = tagsById.computeIfAbsent(id, k -> new ArrayList<>());
                if (!isIdPrefix(id, reference)) {
                    ImageReference named = ImageReference.parse(reference).withDefaultTag();
                    if (!tagged.contains(named)) {
                        tagged.add(named);
                    }
                }
            }
            for (Map.Entry<String, List<ImageReference>> image : tagsById.entrySet()) {
                ImageRecord record = stored(image.getKey()).record();
                List<LayerStore.Layer> layerList = layers.leaseExisting(LayerStore.chainIds(record.diffIds()))
                        .orElseThrow(() -> ImageException.conflict("the layers of image " + image.getKey()
                                + " are incomplete; load or pull it again"));
                leased.addAll(layerList);
                List<SaveWriter.LayerFile> files = new ArrayList<>();
                for (LayerStore.Layer layer : layerList) {
                    Path blob = content.blob(layer.blob()).orElseThrow(() -> ImageException.conflict(
                            "the blob of layer " + layer.diffId() + " of image " + image.getKey() + " is missing"));
                    files.add(new SaveWriter.LayerFile(layer.diffId(), blob, layer.tarSize()));
                }
                saved.add(new SaveWriter.SavedImage(image.getKey(),
                        Files.readAllBytes(imageDir(image.getKey()).resolve("config.json")), image.getValue(), files));
            }
        }
        try {
            new SaveWriter(out.get()).write(saved);
        } finally {
            synchronized (this) {
                layers.release(leased);
            }
        }
    }

    /**
     * {@code docker pull} of {@code reference} (a tag, or a digest) from its registry; progress goes to
     * {@code progress} as Docker's JSON messages. Returns Docker's closing status line.
     */
    public String pull(ImageReference reference, String platform, Credentials credentials, Registries registries,
            Consumer<Map<String, Object>> progress) throws IOException {
        ImageReference wanted = reference.digest() == null ? reference.withDefaultTag() : reference;
        Optional<String> before = find(wanted.familiarString()).map(Image::id);
        String id = new ImagePull(this, content, layers, progress::accept).pull(wanted, platform, credentials,
                registries);
        return (before.isPresent() && before.get().equals(id) ? "Status: Image is up to date for "
                : "Status: Downloaded newer image for ") + wanted.familiarString();
    }

    /**
     * {@code docker push} of the image tagged {@code reference} (a tag; all tags of the name when it has none is
     * not supported: the CLI always sends one) to its registry.
     */
    public void push(ImageReference reference, Credentials credentials, Registries registries,
            Consumer<Map<String, Object>> progress) throws IOException {
        ImagePush.Plan plan;
        synchronized (this) {
            String id = resolveId(reference.familiarString()).orElseThrow(() -> ImageException.noSuchImage(
                    reference.familiarString()));
            ImageRecord record = stored(id).record();
            List<LayerStore.Layer> leased = layers.leaseExisting(LayerStore.chainIds(record.diffIds()))
                    .orElseThrow(() -> ImageException.conflict("the layers of image " + id + " are incomplete"));
            plan = new ImagePush.Plan(id, Files.readAllBytes(imageDir(id).resolve("config.json")), leased);
        }
        try {
            String digest = new ImagePush(content, layers, progress::accept).push(reference, plan, credentials,
                    registries);
            addRepoDigest(plan.id(), reference.familiarName() + "@" + digest);
        } finally {
            synchronized (this) {
                layers.release(plan.layers());
            }
        }
    }

    /** A pulled image: its layers leased by {@code layerSource}, then published, tagged and given its repo digest. */
    String publishPulled(ImageReference reference, String manifestDigest, byte[] config, LayerSource layerSource)
            throws IOException {
        Staged staged = stage(layerSource, diffIds -> config);
        try {
            synchronized (this) {
                publish(staged);
                if (reference.digest() == null) {
                    tags.put(reference, staged.id());
                    setLastTagTime(staged.id());
                }
                addRepoDigest(staged.id(), reference.familiarName() + "@" + manifestDigest);
            }
            return staged.id();
        } finally {
            FileTrees.deleteRecursively(staged.dir());
            releaseLeases(List.of(staged));
        }
    }

    /** Writes a layer tar (a container's changes) to the stream it is given. */
    @FunctionalInterface
    public interface LayerWriter {
        void writeTo(OutputStream out) throws IOException;
    }

    /**
     * {@code docker commit}: a new image of {@code parentImageId}'s layers (leased meanwhile) and one more, the tar
     * {@code layer} writes, with the config {@code request} gives; tagged {@code tag} when not null. Returns its id.
     */
    public String commit(String parentImageId, LayerWriter layer, CommitRequest request, ImageReference tag)
            throws IOException {
        List<String> parentChains;
        byte[] parentConfig;
        synchronized (this) {
            String parent = layerDirsForContainers(parentImageId).isPresent() ? parentImageId : null;
            if (parent == null) {
                throw ImageException.conflict("the image " + parentImageId + " of the container is gone");
            }
            ImageRecord record = images.containsKey(parent) ? images.get(parent).record()
                    : retainedRecord(parent).orElseThrow();
            parentChains = LayerStore.chainIds(record.diffIds());
            Path config = images.containsKey(parent) ? imageDir(parent) : retained(parent);
            parentConfig = Files.readAllBytes(config.resolve("config.json"));
        }
        Path tar = createTempDir("commit").resolve("layer.tar");
        Instant created = Instant.now();
        try {
            try (OutputStream out = Files.newOutputStream(tar)) {
                layer.writeTo(out);
            }
            Staged staged = stage(leased -> {
                leased.addAll(layers.leaseExisting(parentChains).orElseThrow(() -> ImageException.conflict(
                        "the layers of image " + parentImageId + " are incomplete")));
                leased.add(layers.lease(parentChains.isEmpty() ? null : parentChains.get(parentChains.size() - 1),
                        null, () -> Files.newInputStream(tar), "the committed layer"));
            }, diffIds -> request.config(parentConfig, diffIds, created));
            try {
                synchronized (this) {
                    publish(staged);
                    if (images.containsKey(parentImageId)) {
                        updateRecord(staged.id(), stored(staged.id()).record().withParent(parentImageId));
                    }
                    if (tag != null) {
                        tags.put(tag, staged.id());
                        setLastTagTime(staged.id());
                    }
                }
                return staged.id();
            } finally {
                FileTrees.deleteRecursively(staged.dir());
                releaseLeases(List.of(staged));
            }
        } finally {
            FileTrees.deleteRecursively(tar.getParent());
        }
    }

    /** Gives {@code source}'s image the tag {@code target}, moving it from any other image. */
    public synchronized void tag(String source, ImageReference target) throws IOException {
        String id = resolveId(source).orElseThrow(() -> ImageException.noSuchImage(source));
        if (target.tag() == null || target.digest() != null) {
            throw ImageException.invalid("invalid tag: " + target.familiarString());
        }
        tags.put(target, id);
        setLastTagTime(id);
    }

    /**
     * {@code docker rmi}: untags, and deletes the image when no tag is left, with Docker's conflict rules.
     * By name: refuses (409) to drop the last tag while a container uses the image, unless forced; forced, it untags and deletes the
     * image only if no running container uses it. By id: refuses an image with several tags or used by a
     * container unless forced; a running container's image is never deleted.
     */
    public synchronized ImageRemoval remove(String reference, boolean force) throws IOException {
        String id = resolveId(reference).orElseThrow(() -> ImageException.noSuchImage(reference));
        List<String> untagged = new ArrayList<>();
        if (!isIdPrefix(id, reference)) {
            // Like dockerd: only removing the last tag of a used image needs force; other tags untag freely.
            List<String> using = users.containersUsing(id);
            if (!using.isEmpty() && !force && tags.tagsOf(id).size() <= 1) {
                throw ImageException.conflict("conflict: unable to remove repository reference \"" + reference
                        + "\" (must force) - container " + shortId(using.get(0)) + " is using its referenced image "
                        + shortId(id));
            }
            ImageReference named = ImageReference.parse(reference).withDefaultTag();
            tags.remove(named);
            untagged.add(named.familiarString());
            if (!tags.tagsOf(id).isEmpty() || deleteConflict(id, force, 0) != null) {
                // Other tags keep the image, or a container still needs it: the untag was the whole removal.
                return new ImageRemoval(untagged, null);
            }
        } else {
            List<String> refs = tags.tagsOf(id);
            ImageException conflict = deleteConflict(id, force, refs.size());
            if (conflict != null) {
                throw conflict;
            }
            for (String ref : refs) {
                tags.remove(ImageReference.parse(ref));
                untagged.add(ref);
            }
        }
        deleteImage(id);
        collectLayers();
        return new ImageRemoval(untagged, id);
    }

    /**
     * {@code docker image prune}: removes the images the filter allows (untagged ones by default) that no
     * container uses. Returns what was untagged and deleted, and the bytes freed.
     */
    public synchronized PruneReport prune(ImageFilter filter) throws IOException {
        List<ImageRemoval> removals = new ArrayList<>();
        long reclaimed = 0; // layers are freed at the end, once: images may share them
        for (String id : List.copyOf(images.keySet())) {
            Image image = image(id);
            if (!filter.prunable(image) || !users.containersUsing(id).isEmpty()) {
                continue;
            }
            for (String ref : image.repoTags()) {
                tags.remove(ImageReference.parse(ref));
            }
            deleteImage(id);
            removals.add(new ImageRemoval(image.repoTags(), id));
        }
        return new PruneReport(removals, reclaimed + collectLayers());
    }

    /** What a prune removed, and the bytes it freed. */
    public record PruneReport(List<ImageRemoval> removals, long spaceReclaimed) {}

    /**
     * Why the image may not be deleted, in Docker's order: a running container (even forced), then unless forced
     * several tags (deleting by id would drop them all) or a stopped container. Null when it may.
     */
    private ImageException deleteConflict(String id, boolean force, int tagCount) {
        List<String> running = users.runningContainersUsing(id);
        if (!running.isEmpty()) {
            return deleteConflictMessage(id, true, "image is being used by running container " + shortId(running.get(0)));
        }
        if (force) {
            return null;
        }
        if (tagCount > 1) {
            return deleteConflictMessage(id, false, "image is referenced in multiple repositories");
        }
        List<String> all = users.containersUsing(id);
        if (!all.isEmpty()) {
            return deleteConflictMessage(id, false, "image is being used by stopped container " + shortId(all.get(0)));
        }
        return null;
    }

    private static ImageException deleteConflictMessage(String id, boolean hard, String why) {
        return ImageException.conflict("conflict: unable to delete " + shortId(id) + " ("
                + (hard ? "cannot be forced" : "must be forced") + ") - " + why);
    }

    /**
     * Deletes the image; its layers go with the next {@link #collectLayers}. Like dockerd's layer references, a
     * forced removal keeps the image's record as {@code .retained-<hex>} while stopped containers stand on its layers.
     */
    private void deleteImage(String id) throws IOException {
        Path dir = imageDir(id);
        Path doomed = imagesDir.resolve(TEMP_PREFIX + "removed-" + id.substring(7));
        if (!users.containersUsing(id).isEmpty() && !Files.exists(retained(id))) {
            Files.move(dir, retained(id), StandardCopyOption.ATOMIC_MOVE);
        } else {
            Files.move(dir, doomed, StandardCopyOption.ATOMIC_MOVE);
        }
        AtomicFiles.syncDirectory(imagesDir);
        images.remove(id);
        tags.retainImages(images.keySet());
        FileTrees.deleteRecursively(doomed);
    }

    // --- staging and publishing -------------------------------------------------------------------------------

    /** Leases the image's layers from the layer store, bottom first, adding each to {@code leased} as it goes. */
    @FunctionalInterface
    interface LayerSource {
        void leaseInto(List<LayerStore.Layer> leased) throws IOException;
    }

    /** The config JSON of the image, given the diff ids of its layers (an import learns its only then). */
    @FunctionalInterface
    interface ConfigSource {
        byte[] forLayers(List<String> diffIds) throws IOException;
    }

    /**
     * Leases the image's layers (unpacking those not present yet) and writes its config and record into a fresh
     * temporary directory; any failure deletes it and gives the leases back.
     */
    private Staged stage(LayerSource layerSource, ConfigSource configSource) throws IOException {
        Path dir = createTempDir("image");
        List<LayerStore.Layer> leased = new ArrayList<>();
        try {
            layerSource.leaseInto(leased);
            List<String> diffIds = leased.stream().map(LayerStore.Layer::diffId).toList();
            List<Long> sizes = leased.stream().map(LayerStore.Layer::size).toList();
            byte[] config = configSource.forLayers(diffIds);
            String id = sha256(config);
            ImageRecord record = new ImageRecord(id, diffIds, sizes, sizes.stream().mapToLong(Long::longValue).sum(),
                    null, List.of(), null);
            AtomicFiles.write(dir.resolve("config.json"), config);
            AtomicFiles.write(dir.resolve("image.json"), Json.MAPPER.writeValueAsBytes(record));
            return new Staged(id, dir, new Stored(ImageDocument.parse(config), record), leased);
        } catch (IOException | RuntimeException e) {
            FileTrees.deleteRecursively(dir);
            releaseLeases(List.of(new Staged(null, dir, null, leased)));
            throw e;
        }
    }

    /** Renames a staged image into place and makes it visible; an image already present wins. */
    private void publish(Staged staged) throws IOException {
        if (images.containsKey(staged.id())) {
            return;
        }
        Files.move(staged.dir(), imageDir(staged.id()), StandardCopyOption.ATOMIC_MOVE);
        AtomicFiles.syncDirectory(imagesDir);
        images.put(staged.id(), staged.stored());
    }

    private Path createTempDir(String purpose) throws IOException {
        Path dir = imagesDir.resolve(TEMP_PREFIX + purpose + "-" + Long.toHexString(ThreadLocalRandom.current().nextLong()));
        Files.createDirectory(dir);
        return dir;
    }

    // --- lookups ------------------------------------------------------------------------------------------------

    private Optional<String> resolveId(String reference) {
        if (reference.isEmpty()) {
            return Optional.empty();
        }
        if (HEX_ID.matcher(reference).matches()) {
            return present("sha256:" + reference);
        }
        if (ImageReference.isFullId(reference)) {
            return present(reference);
        }
        ImageReference named;
        try {
            named = ImageReference.parse(reference);
        } catch (ImageReference.InvalidReferenceException e) {
            if (ID_PREFIX.matcher(reference).matches()) {
                return byIdPrefix(reference);
            }
            throw ImageException.invalid(e.getMessage());
        }
        if (named.digest() != null) {
            String repoDigest = named.familiarName() + "@" + named.digest();
            return images.entrySet().stream().filter(e -> e.getValue().record().repoDigests().contains(repoDigest))
                    .map(Map.Entry::getKey).findFirst();
        }
        Optional<String> tagged = tags.get(named.withDefaultTag());
        return tagged.isPresent() ? tagged : byIdPrefix(reference);
    }

    private Optional<String> present(String id) {
        return images.containsKey(id) ? Optional.of(id) : Optional.empty();
    }

    /** A unique id prefix, with or without {@code sha256:}; an ambiguous prefix finds nothing, as in Docker. */
    private Optional<String> byIdPrefix(String prefix) {
        if (!ID_PREFIX.matcher(prefix).matches()) {
            return Optional.empty();
        }
        String full = prefix.startsWith("sha256:") ? prefix : "sha256:" + prefix;
        List<String> matches = images.keySet().stream().filter(id -> id.startsWith(full)).limit(2).toList();
        return matches.size() == 1 ? Optional.of(matches.get(0)) : Optional.empty();
    }

    private static boolean isIdPrefix(String id, String reference) {
        return id.startsWith(reference) || id.startsWith("sha256:" + reference);
    }

    private synchronized boolean contains(String id) {
        return images.containsKey(id);
    }

    private Image image(String id) {
        Stored stored = stored(id);
        Instant created = stored.document().created() == null ? Instant.EPOCH : stored.document().created();
        return new Image(id, tags.tagsOf(id), created, stored.document().config(), stored.record().size(),
                stored.record().repoDigests());
    }

    private Stored stored(String id) {
        Stored stored = images.get(id);
        if (stored == null) {
            throw ImageException.notFound("No such image: " + id);
        }
        return stored;
    }

    private void setLastTagTime(String id) throws IOException {
        updateRecord(id, stored(id).record().withLastTagTime(Rfc3339.format(Instant.now())));
    }

    /** Remembers that image {@code id} is {@code repoDigest} ({@code name@sha256:...}) in a registry. */
    synchronized void addRepoDigest(String id, String repoDigest) throws IOException {
        updateRecord(id, stored(id).record().withRepoDigest(repoDigest));
    }

    private void updateRecord(String id, ImageRecord record) throws IOException {
        AtomicFiles.write(imageDir(id).resolve("image.json"), Json.MAPPER.writeValueAsBytes(record));
        images.put(id, new Stored(stored(id).document(), record));
    }

    private Path imageDir(String id) {
        return imagesDir.resolve(id.substring("sha256:".length()));
    }

    static String shortId(String id) {
        String hex = id.startsWith("sha256:") ? id.substring(7) : id;
        return hex.substring(0, Math.min(12, hex.length()));
    }

    static String sha256(byte[] bytes) {
        return "sha256:" + HexFormat.of().formatHex(LayerUnpacker.sha256().digest(bytes));
    }
}
