package dev.holdfast.engine.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageStoreLoadTest {
    @TempDir
    Path data;

    private ImageStore store() throws Exception {
        return ImageStore.boot(data, id -> List.of());
    }

    static SavedImage busyboxLike() {
        byte[] layer = new TarBuilder()
                .dir("bin", 0755)
                .file("bin/busybox", "#!fake busybox".getBytes(StandardCharsets.UTF_8), 0755, 0, 0)
                .symlink("bin/sh", "busybox")
                .dir("etc", 0755)
                .file("etc/passwd", "root:x:0:0:root:/root:/bin/sh\n")
                .build();
        SavedImage image = new SavedImage().layer(layer).tag("busybox:latest");
        image.config().putArray("Cmd").add("sh");
        image.config().putArray("Env").add("PATH=/bin");
        return image;
    }

    @Test
    void loadUnpacksTagsAndFindsTheImage() throws Exception {
        SavedImage saved = busyboxLike();
        ImageStore store = store();
        List<String> messages = store.load(new ByteArrayInputStream(saved.archive()));

        assertEquals(List.of("Loaded image: busybox:latest"), messages);
        Image image = store.find("busybox").orElseThrow();
        assertEquals(saved.id(), image.id());
        assertEquals(List.of("busybox:latest"), image.repoTags());
        assertEquals(List.of("sh"), image.config().cmd());
        assertEquals(List.of("PATH=/bin"), image.config().env());
        Path rootfs = store.layerDirs(image).get(0); // one layer
        assertTrue(Files.isSymbolicLink(rootfs.resolve("bin/sh")));
        assertEquals("busybox", Files.readSymbolicLink(rootfs.resolve("bin/sh")).toString());
        assertEquals("root:x:0:0:root:/root:/bin/sh\n", Files.readString(rootfs.resolve("etc/passwd")));
        String hex = saved.id().substring(7);
        assertTrue(Files.isRegularFile(data.resolve("images").resolve(hex).resolve("config.json")));
        assertTrue(rootfs.startsWith(data.resolve("layers")), "the layer is in the layer store: " + rootfs);
        assertEquals(saved.id(), SavedImage.sha256(Files.readAllBytes(data.resolve("images/" + hex + "/config.json"))));
    }

    @Test
    void findAcceptsEveryFormDockerDoes() throws Exception {
        SavedImage saved = busyboxLike();
        ImageStore store = store();
        store.load(new ByteArrayInputStream(saved.archive()));
        String id = saved.id();
        for (String ref : List.of("busybox", "busybox:latest", "library/busybox:latest",
                "docker.io/library/busybox:latest", "index.docker.io/library/busybox", id, id.substring(7),
                id.substring(7, 19), id.substring(0, 10), id.substring(7, 8))) {
            assertEquals(id, store.find(ref).map(Image::id).orElse(null), ref);
        }
        for (String ref : List.of("busybox:1.0", "other", "Busybox", "sha256:" + "0".repeat(64), "", "busybox@sha256:"
                + "a".repeat(64))) {
            assertFalse(store.find(ref).isPresent(), ref);
        }
    }

    @Test
    void imagesSurviveARestart() throws Exception {
        SavedImage saved = busyboxLike();
        store().load(new ByteArrayInputStream(saved.archive()));
        ImageStore reopened = store();
        assertEquals(saved.id(), reopened.find("busybox:latest").orElseThrow().id());
        assertEquals(1, reopened.list().size());
    }

    @Test
    void snapshotIsAnOverlayOfTheImageThatKeepsSymlinks() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "mounts need root");
        ImageStore store = store();
        store.load(new ByteArrayInputStream(busyboxLike().archive()));
        Path rootfs = store.layerDirs(store.find("busybox").orElseThrow()).get(0);
        Path container = data.resolve("containers/c1");
        Files.createDirectories(container);
        Snapshots.prepare(List.of(rootfs), container);
        try {
            Path snapshot = Snapshots.rootfs(container);
            assertTrue(Files.isSymbolicLink(snapshot.resolve("bin/sh")));
            assertEquals("busybox", Files.readSymbolicLink(snapshot.resolve("bin/sh")).toString());
            Files.writeString(snapshot.resolve("etc/passwd"), "changed");
            assertEquals("root:x:0:0:root:/root:/bin/sh\n", Files.readString(rootfs.resolve("etc/passwd")));
        } finally {
            Snapshots.remove(container);
        }
        assertFalse(Files.exists(Snapshots.rootfs(container), LinkOption.NOFOLLOW_LINKS));
        assertTrue(Files.exists(rootfs.resolve("bin/busybox")));
    }
}
