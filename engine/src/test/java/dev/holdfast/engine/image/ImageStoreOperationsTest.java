package dev.holdfast.engine.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tagging, removal with Docker's conflict rules, import, prune and crash recovery. */
class ImageStoreOperationsTest {
    @TempDir
    Path data;

    private final List<String> stopped = new ArrayList<>();
    private final List<String> running = new ArrayList<>();
    private ImageStore store;
    private String busyboxId;

    private final ImageUsers users = new ImageUsers() {
        @Override
        public List<String> containersUsing(String imageId) {
            List<String> all = new ArrayList<>(stopped);
            all.addAll(running);
            return all;
        }

        @Override
        public List<String> runningContainersUsing(String imageId) {
            return running;
        }
    };

    @BeforeEach
    void setUp() throws Exception {
        store = ImageStore.boot(data, users);
        SavedImage saved = ImageStoreLoadTest.busyboxLike();
        busyboxId = saved.id();
        store.load(new ByteArrayInputStream(saved.archive()));
    }

    @Test
    void tagMovesBetweenImagesAndRecordsTheTime() throws Exception {
        store.tag("busybox", ImageReference.parse("me/app:1"));
        assertEquals(List.of("busybox:latest", "me/app:1"), store.find(busyboxId).orElseThrow().repoTags());
        assertNotNull(store.details(store.get("me/app:1")).lastTagTime());

        String other = importEmpty(null);
        store.tag(other, ImageReference.parse("me/app:1"));
        assertEquals(other, store.get("me/app:1").id());
        assertEquals(List.of("busybox:latest"), store.get(busyboxId).repoTags());
    }

    @Test
    void tagOfAMissingImageIsNotFound() {
        ImageException e = assertThrows(ImageException.class, () -> store.tag("nope", ImageReference.parse("x:1")));
        assertEquals("No such image: nope:latest", e.getMessage());
        assertEquals(ImageException.Kind.NOT_FOUND, e.kind());
    }

    @Test
    void removeByNameUntagsThenDeletesTheLastTag() throws Exception {
        store.tag("busybox", ImageReference.parse("other:1"));
        assertEquals(new ImageRemoval(List.of("busybox:latest"), null), store.remove("busybox", false));
        Path dir = data.resolve("images").resolve(busyboxId.substring(7));
        assertTrue(Files.isDirectory(dir));
        assertEquals(new ImageRemoval(List.of("other:1"), busyboxId), store.remove("other:1", false));
        assertFalse(Files.exists(dir));
        assertTrue(store.list().isEmpty());
        assertEquals("No such image: busybox:latest",
                assertThrows(ImageException.class, () -> store.remove("busybox", false)).getMessage());
    }

    @Test
    void removeByIdWithSeveralTagsNeedsForce() throws Exception {
        store.tag("busybox", ImageReference.parse("other:1"));
        ImageException e = assertThrows(ImageException.class, () -> store.remove(busyboxId.substring(7, 19), false));
        assertEquals(ImageException.Kind.CONFLICT, e.kind());
        assertEquals("conflict: unable to delete " + busyboxId.substring(7, 19)
                + " (must be forced) - image is referenced in multiple repositories", e.getMessage());
        ImageRemoval removal = store.remove(busyboxId.substring(7, 19), true);
        assertEquals(List.of("busybox:latest", "other:1"), removal.untagged());
        assertEquals(busyboxId, removal.deleted());
    }

    @Test
    void removeByIdWithOneTagUntagsAndDeletes() throws Exception {
        assertEquals(new ImageRemoval(List.of("busybox:latest"), busyboxId), store.remove(busyboxId, false));
    }

    @Test
    void imageUsedByAContainerIsKept() throws Exception {
        stopped.add("c0ffee0000000000000000000000000000000000000000000000000000000000");
        ImageException e = assertThrows(ImageException.class, () -> store.remove("busybox", false));
        assertEquals("conflict: unable to remove repository reference \"busybox\" (must force) - container "
                + "c0ffee000000 is using its referenced image " + busyboxId.substring(7, 19), e.getMessage());
        assertEquals("conflict: unable to delete " + busyboxId.substring(7, 19)
                        + " (must be forced) - image is being used by stopped container c0ffee000000",
                assertThrows(ImageException.class, () -> store.remove(busyboxId, false)).getMessage());
        // Forced, a stopped container does not keep the image (Docker's rule).
        assertEquals(new ImageRemoval(List.of("busybox:latest"), busyboxId), store.remove("busybox", true));
    }

    @Test
    void aForcedRemovalKeepsTheRootfsItsStoppedContainersStandOnUntilTheLastIsGone() throws Exception {
        List<Path> layers = store.layerDirs(store.get("busybox"));
        assertEquals(layers, store.layerDirsForContainers(busyboxId).orElseThrow());
        stopped.add("c0ffee0000000000000000000000000000000000000000000000000000000000");
        assertEquals(new ImageRemoval(List.of("busybox:latest"), busyboxId), store.remove("busybox", true));
        assertTrue(store.find(busyboxId).isEmpty());
        Path retained = store.layerDirsForContainers(busyboxId).orElseThrow().get(0);
        assertTrue(Files.exists(retained.resolve("bin/busybox")), "the container's overlay lower layer is still there");

        ImageStore.boot(data, users); // a boot keeps it while the container exists
        assertTrue(Files.exists(retained.resolve("bin/busybox")));
        store.releaseRetained(busyboxId);
        assertTrue(Files.exists(retained), "still used");
        stopped.clear();
        store.releaseRetained(busyboxId);
        assertFalse(Files.exists(retained));
        assertTrue(store.layerDirsForContainers(busyboxId).isEmpty());
        store.releaseRetained(busyboxId); // idempotent
    }

    @Test
    void aRetainedRootfsWithoutContainersGoesAtBoot() throws Exception {
        stopped.add("c0ffee0000000000000000000000000000000000000000000000000000000000");
        store.remove("busybox", true);
        Path retained = store.layerDirsForContainers(busyboxId).orElseThrow().get(0);
        stopped.clear(); // removed while the engine was down
        ImageStore.boot(data, users);
        assertFalse(Files.exists(retained));
    }

    @Test
    void aTagOtherThanTheLastUntagsFreelyWhileAContainerUsesTheImage() throws Exception {
        stopped.add("c0ffee0000000000000000000000000000000000000000000000000000000000");
        store.tag("busybox", ImageReference.parse("other:1"));
        assertEquals(new ImageRemoval(List.of("other:1"), null), store.remove("other:1", false));
        assertThrows(ImageException.class, () -> store.remove("busybox", false));
    }

    @Test
    void runningContainerKeepsTheImageEvenForced() throws Exception {
        running.add("beef000000000000000000000000000000000000000000000000000000000000");
        assertEquals(new ImageRemoval(List.of("busybox:latest"), null), store.remove("busybox", true));
        assertTrue(store.find(busyboxId).isPresent(), "untagged only");
        assertEquals("conflict: unable to delete " + busyboxId.substring(7, 19)
                        + " (cannot be forced) - image is being used by running container beef00000000",
                assertThrows(ImageException.class, () -> store.remove(busyboxId, true)).getMessage());
    }

    @Test
    void importAppliesChangesAndTags() throws Exception {
        byte[] tar = new TarBuilder().file("hello", "hi").build();
        String id = store.importRootfs(new ByteArrayInputStream(TarBuilder.gzip(tar)), new ImportRequest(
                ImageReference.parse("imported:v1"), "", List.of("CMD [\"/hello\"]", "ENV A=1 B=\"x y\"",
                        "LABEL k=v", "EXPOSE 80 53/udp", "WORKDIR /srv", "USER nobody", "ENTRYPOINT echo hi",
                        "VOLUME /data")));
        Image image = store.get("imported:v1");
        assertEquals(id, image.id());
        assertEquals(List.of("/hello"), image.config().cmd());
        assertEquals(List.of("/bin/sh", "-c", "echo hi"), image.config().entrypoint());
        assertEquals(List.of("A=1", "B=x y"), image.config().env());
        assertEquals(Map.of("k", "v"), image.config().labels());
        assertEquals(List.of("80/tcp", "53/udp"), List.copyOf(image.config().exposedPorts().keySet()));
        assertEquals(List.of("/data"), List.copyOf(image.config().volumes().keySet()));
        assertEquals("/srv", image.config().workingDir());
        assertEquals("nobody", image.config().user());
        ImageDocument doc = store.details(image).document();
        assertEquals("Imported from -", doc.comment());
        assertEquals(List.of(SavedImage.sha256(tar)), doc.diffIds());
        assertEquals("hi", Files.readString(store.layerDirs(image).get(0).resolve("hello")));
        assertEquals(id, SavedImage.sha256(Files.readAllBytes(data.resolve("images/" + id.substring(7) + "/config.json"))));
    }

    @Test
    void importRefusesUnknownChangesBeforeReadingTheUpload() {
        ImageException e = assertThrows(ImageException.class, () -> store.importRootfs(
                new ByteArrayInputStream(new byte[0]), new ImportRequest(null, "", List.of("RUN rm -rf /"))));
        assertEquals("run is not a valid change command", e.getMessage());
        assertEquals(1, store.list().size());
    }

    @Test
    void pruneRemovesOnlyUnusedDanglingImagesByDefault() throws Exception {
        String dangling = importEmpty(null);
        ImageStore.PruneReport report = store.prune(ImageFilter.forPrune(Map.of(), store));
        assertEquals(List.of(new ImageRemoval(List.of(), dangling)), report.removals());
        assertTrue(store.find("busybox").isPresent());

        stopped.add("c0ffee");
        assertTrue(store.prune(ImageFilter.forPrune(Map.of("dangling", List.of("false")), store)).removals().isEmpty());
        stopped.clear();
        report = store.prune(ImageFilter.forPrune(Map.of("dangling", List.of("false")), store));
        assertEquals(List.of(new ImageRemoval(List.of("busybox:latest"), busyboxId)), report.removals());
    }

    @Test
    void loadingAgainMovesTheTagAndSaysSo() throws Exception {
        SavedImage second = new SavedImage().layer(new TarBuilder().file("new", "n").build()).tag("busybox:latest");
        List<String> messages = store.load(new ByteArrayInputStream(second.archive()));
        assertEquals(List.of("The image busybox:latest already exists, renaming the old one with ID " + busyboxId
                + " to empty string", "Loaded image: busybox:latest"), messages);
        assertEquals(List.of(), store.get(busyboxId).repoTags());
        assertEquals(second.id(), store.get("busybox").id());
    }

    @Test
    void untaggedLoadReportsTheId() throws Exception {
        SavedImage untagged = new SavedImage().layer(new TarBuilder().file("a", "a").build());
        assertEquals(List.of("Loaded image ID: " + untagged.id()),
                store.load(new ByteArrayInputStream(untagged.archive())));
    }

    @Test
    void recoveryDeletesLeftoversAndDanglingTags() throws Exception {
        Path images = data.resolve("images");
        Files.createDirectories(images.resolve(".tmp-image-123/rootfs/bin"));
        Files.createDirectories(images.resolve(".tmp-load-456"));
        // A crash after an image directory was removed but before repositories.json changed.
        Files.move(images.resolve(busyboxId.substring(7)), images.resolve(".tmp-removed-x"));
        ImageStore reopened = ImageStore.boot(data, users);
        try (var left = Files.list(images)) {
            assertEquals(List.of(), left.toList());
        }
        assertTrue(reopened.find("busybox").isEmpty());
        assertFalse(Files.readString(data.resolve("repositories.json")).contains("busybox"));
        ImageStore.boot(data, users); // idempotent
    }

    @Test
    void dockerSaveOciLayoutWithBlobsAndLinkedLayers() throws Exception {
        byte[] layer = new TarBuilder().file("f", "content").build();
        String layerHex = SavedImage.sha256(layer).substring(7);
        SavedImage image = new SavedImage().layer(layer).layer(layer).tag("oci:1");
        String configHex = image.id().substring(7);
        String manifest = "[{\"Config\":\"blobs/sha256/" + configHex + "\",\"RepoTags\":[\"oci:1\"],"
                + "\"Layers\":[\"blobs/sha256/" + layerHex + "\",\"dup/layer.tar\"]}]";
        byte[] archive = new TarBuilder()
                .file("oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}")
                .file("index.json", "{}")
                .file("blobs/sha256/" + layerHex, layer, 0644, 0, 0)
                .file("blobs/sha256/" + configHex, image.configJson(), 0644, 0, 0)
                .symlink("dup/layer.tar", "../blobs/sha256/" + layerHex)
                .file("manifest.json", manifest)
                .build();
        assertEquals(List.of("Loaded image: oci:1"), store.load(new ByteArrayInputStream(TarBuilder.gzip(archive))));
        assertEquals("content", Files.readString(store.layerDirs(store.get("oci:1")).get(0).resolve("f")));
    }

    @Test
    void ociLayoutWithoutManifestJsonPicksThisPlatform() throws Exception {
        byte[] layer = new TarBuilder().file("f", "amd64").build();
        SavedImage image = new SavedImage().layer(layer);
        byte[] config = image.configJson();
        String manifest = "{\"schemaVersion\":2,\"config\":{\"digest\":\"" + SavedImage.sha256(config)
                + "\"},\"layers\":[{\"digest\":\"" + SavedImage.sha256(layer) + "\"}]}";
        String manifestDigest = SavedImage.sha256(manifest.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        String index = "{\"manifests\":[{\"digest\":\"" + manifestDigest
                + "\",\"platform\":{\"os\":\"linux\",\"architecture\":\"amd64\"}},{\"digest\":\"sha256:"
                + "b".repeat(64) + "\",\"platform\":{\"os\":\"linux\",\"architecture\":\"arm64\"}}]}";
        String indexDigest = SavedImage.sha256(index.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        byte[] archive = new TarBuilder()
                .file("oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}")
                .file("index.json", "{\"manifests\":[{\"digest\":\"" + indexDigest + "\",\"annotations\":"
                        + "{\"io.containerd.image.name\":\"docker.io/library/multi:2\","
                        + "\"org.opencontainers.image.ref.name\":\"2\"}}]}")
                .file("blobs/sha256/" + indexDigest.substring(7), index)
                .file("blobs/sha256/" + manifestDigest.substring(7), manifest)
                .file("blobs/sha256/" + image.id().substring(7), config, 0644, 0, 0)
                .file("blobs/sha256/" + SavedImage.sha256(layer).substring(7), layer, 0644, 0, 0)
                .build();
        assertEquals(List.of("Loaded image: multi:2"), store.load(new ByteArrayInputStream(archive)));
        assertEquals(image.id(), store.get("multi:2").id());
    }

    @Test
    void wrongDiffIdIsRefused() throws Exception {
        SavedImage image = new SavedImage().layer(new TarBuilder().file("a", "a").build()).tag("bad:1");
        // The config and manifest of image, with another layer: the diff id no longer matches.
        byte[] archive = swapLayer(image, new TarBuilder().file("b", "b").build());
        ImageException e = assertThrows(ImageException.class, () -> store.load(new ByteArrayInputStream(archive)));
        assertTrue(e.getMessage().startsWith("invalid diffID for layer 0: expected \"" + image.configDiffId(0)),
                e.getMessage());
        assertNull(store.find("bad:1").orElse(null));
    }

    private static byte[] swapLayer(SavedImage image, byte[] layer) {
        String configName = image.id().substring(7) + ".json";
        return new TarBuilder()
                .file("layer0/layer.tar", layer, 0644, 0, 0)
                .file(configName, image.configJson(), 0644, 0, 0)
                .file("manifest.json", "[{\"Config\":\"" + configName + "\",\"RepoTags\":[\"bad:1\"],"
                        + "\"Layers\":[\"layer0/layer.tar\"]}]")
                .build();
    }

    private String importEmpty(ImageReference tag) throws Exception {
        return store.importRootfs(new ByteArrayInputStream(new TarBuilder().file("x", String.valueOf(System.nanoTime()))
                .build()), new ImportRequest(tag, "", List.of()));
    }
}
