package dev.holdfast.engine.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Archives that try to write outside the store: each load must fail with a message naming the entry, leave the
 * marker directory outside the store empty, and leave no image (and no temporary directory) behind.
 */
class LayerSafetyTest {
    @TempDir
    Path tmp;

    private Path data;
    private Path marker;
    private ImageStore store;

    @BeforeEach
    void setUp() throws Exception {
        data = tmp.resolve("data");
        marker = tmp.resolve("marker");
        Files.createDirectories(marker);
        store = ImageStore.boot(data, id -> List.of());
    }

    private void assertRefused(byte[] layer, String entryName) throws Exception {
        byte[] archive = new SavedImage().layer(layer).tag("evil:latest").archive();
        ImageException e = assertThrows(ImageException.class, () -> store.load(new ByteArrayInputStream(archive)));
        assertEquals(ImageException.Kind.INVALID, e.kind());
        assertTrue(e.getMessage().contains("\"" + entryName + "\""), e.getMessage());
        try (Stream<Path> left = Files.list(marker)) {
            assertEquals(List.of(), left.toList(), "nothing may be written outside the store");
        }
        assertTrue(store.list().isEmpty());
        assertTrue(store.find("evil").isEmpty());
        try (Stream<Path> images = Files.list(data.resolve("images"))) {
            assertEquals(List.of(), images.toList(), "no staging directory may stay");
        }
        try (Stream<Path> layers = Files.list(data.resolve("layers"))) {
            assertEquals(List.of(), layers.toList(), "no layer, staged or not, may stay");
        }
    }

    /** A path from the layer root to the marker directory, as {@code ../} steps. */
    private String upToMarker(String from) {
        Path rootfsGuess = data.resolve("layers/.tmp-0/diff").resolve(from);
        return rootfsGuess.getParent().relativize(marker).toString();
    }

    @Test
    void refusesDotDotEntries() throws Exception {
        String name = "../../../../marker/x";
        assertRefused(new TarBuilder().file(name, "pwned").build(), name);
    }

    @Test
    void refusesDotDotInTheMiddle() throws Exception {
        String name = "a/../../x";
        assertRefused(new TarBuilder().dir("a", 0755).file(name, "pwned").build(), name);
    }

    @Test
    void refusesAbsoluteEntries() throws Exception {
        String name = marker.resolve("x").toString();
        assertRefused(new TarBuilder().file(name, "pwned").build(), name);
    }

    @Test
    void refusesWritingThroughAnAbsoluteSymlink() throws Exception {
        assertRefused(new TarBuilder().symlink("l", marker.toString()).file("l/x", "pwned").build(), "l/x");
    }

    @Test
    void refusesWritingThroughARelativeSymlink() throws Exception {
        String up = upToMarker("l");
        assertRefused(new TarBuilder().symlink("l", up).file("l/x", "pwned").build(), "l/x");
    }

    @Test
    void refusesWritingThroughANestedSymlink() throws Exception {
        assertRefused(new TarBuilder().dir("a", 0755).symlink("a/b", marker.toString()).dir("a/b/c", 0755)
                .build(), "a/b/c/");
    }

    @Test
    void refusesASymlinkThatReplacesADirectoryAlreadyWritten() throws Exception {
        assertRefused(new TarBuilder().dir("d", 0755).file("d/ok", "fine").symlink("d", marker.toString())
                .file("d/x", "pwned").build(), "d/x");
    }

    @Test
    void refusesHardLinksOutside() throws Exception {
        Path secret = tmp.resolve("secret");
        Files.writeString(secret, "secret");
        String target = upToMarker("h") + "/../secret";
        assertRefused(new TarBuilder().hardlink("h", target).build(), "h");
        assertRefused(new TarBuilder().hardlink("h", secret.toString()).build(), "h");
    }

    @Test
    void refusesHardLinksThroughSymlinks() throws Exception {
        assertRefused(new TarBuilder().symlink("l", tmp.toString()).hardlink("h", "l/secret").build(), "h");
    }

    @Test
    void hardLinkToASymlinkLinksTheSymlinkNotItsTarget() throws Exception {
        Path secret = tmp.resolve("secret");
        Files.writeString(secret, "secret");
        byte[] archive = new SavedImage().layer(new TarBuilder().symlink("s", secret.toString()).hardlink("h", "s")
                .build()).tag("ok:1").archive();
        store.load(new ByteArrayInputStream(archive));
        Path h = store.layerDirs(store.find("ok:1").orElseThrow()).get(0).resolve("h");
        assertTrue(Files.isSymbolicLink(h), "link(2) must not follow the symlink out of the image");
        assertEquals(1, (int) Files.getAttribute(secret, "unix:nlink"));
    }

    @Test
    void refusesWhiteoutsThroughSymlinks() throws Exception {
        Files.writeString(marker.resolve("keep"), "keep");
        byte[] archive = new SavedImage().layer(new TarBuilder().symlink("l", marker.toString())
                .file("l/.wh.keep", "").build()).archive();
        assertThrows(ImageException.class, () -> store.load(new ByteArrayInputStream(archive)));
        assertTrue(Files.exists(marker.resolve("keep")), "a whiteout must not delete outside the store");
    }

    @Test
    void refusesEscapesInTheOuterArchive() throws Exception {
        byte[] archive = new TarBuilder().file("../../marker/manifest.json", "[]").build();
        ImageException e = assertThrows(ImageException.class, () -> store.load(new ByteArrayInputStream(archive)));
        assertTrue(e.getMessage().contains("../../marker/manifest.json"), e.getMessage());
        try (Stream<Path> left = Files.list(marker)) {
            assertEquals(0, left.count());
        }
    }

    @Test
    void refusesOuterSymlinksThatLeaveTheArchive() throws Exception {
        Files.writeString(tmp.resolve("outside.json"), "[]");
        byte[] archive = new TarBuilder().symlink("manifest.json", "../../../outside.json").build();
        ImageException e = assertThrows(ImageException.class, () -> store.load(new ByteArrayInputStream(archive)));
        assertTrue(e.getMessage().contains("manifest.json"), e.getMessage());
    }

    @Test
    void symlinksPointingOutsideAreKeptAsData() throws Exception {
        // An absolute symlink is ordinary in images (/etc/localtime); it is only never followed while unpacking.
        byte[] archive = new SavedImage().layer(new TarBuilder().symlink("etc-link", "/etc").build())
                .tag("ok:1").archive();
        store.load(new ByteArrayInputStream(archive));
        Path rootfs = store.layerDirs(store.find("ok:1").orElseThrow()).get(0);
        assertEquals("/etc", Files.readSymbolicLink(rootfs.resolve("etc-link")).toString());
    }
}
