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

/** One layer unpacked into its own directory in overlayfs' form; two stacked by a real overlay mount. */
class LayerUnpackerTest {
    @TempDir
    Path rootfs;

    private LayerUnpacker.Unpacked apply(byte[] tar) throws Exception {
        return new LayerUnpacker(rootfs).unpack(new ByteArrayInputStream(tar));
    }

    private static void unpack(Path layer, byte[] tar) throws Exception {
        Files.createDirectories(layer);
        new LayerUnpacker(layer).unpack(new ByteArrayInputStream(tar));
    }

    private int attr(String path, String name) throws Exception {
        return (int) Files.getAttribute(rootfs.resolve(path), "unix:" + name, LinkOption.NOFOLLOW_LINKS);
    }

    @Test
    void keepsOwnersModesAndSetuid() throws Exception {
        apply(new TarBuilder()
                .dir("bin", 0755)
                .file("bin/su", "su".getBytes(StandardCharsets.UTF_8), 04755, 0, 0)
                .file("home/user/notes", "n".getBytes(StandardCharsets.UTF_8), 0600, 1000, 1001)
                .dir("tmp", 01777)
                .symlink("bin/sh", "busybox")
                .build());
        assertEquals(04755, attr("bin/su", "mode") & 07777);
        assertEquals(0600, attr("home/user/notes", "mode") & 07777);
        assertEquals(1000, attr("home/user/notes", "uid"));
        assertEquals(1001, attr("home/user/notes", "gid"));
        assertEquals(01777, attr("tmp", "mode") & 07777);
        assertTrue(Files.isSymbolicLink(rootfs.resolve("bin/sh")));
    }

    @Test
    void diffIdIsTheSha256OfTheUncompressedTarEvenWhenGzipped() throws Exception {
        byte[] tar = new TarBuilder().file("a", "hello").build();
        LayerUnpacker.Unpacked applied = apply(TarBuilder.gzip(tar));
        assertEquals(SavedImage.sha256(tar), applied.diffId());
        assertEquals(5, applied.size());
        assertEquals("hello", Files.readString(rootfs.resolve("a")));
    }

    @Test
    void aZstdLayerUnpacksWithTheDiffIdOfItsTar() throws Exception {
        byte[] tar = new TarBuilder().file("z", "zstd").build();
        java.io.ByteArrayOutputStream compressed = new java.io.ByteArrayOutputStream();
        try (com.github.luben.zstd.ZstdOutputStream zstd = new com.github.luben.zstd.ZstdOutputStream(compressed)) {
            zstd.write(tar);
        }
        LayerUnpacker.Unpacked applied = apply(compressed.toByteArray());
        assertEquals(SavedImage.sha256(tar), applied.diffId());
        assertEquals("zstd", Files.readString(rootfs.resolve("z")));
    }

    @Test
    void extendedAttributesFromPaxHeadersAreKept() throws Exception {
        java.io.ByteArrayOutputStream tar = new java.io.ByteArrayOutputStream();
        try (org.apache.commons.compress.archivers.tar.TarArchiveOutputStream out =
                new org.apache.commons.compress.archivers.tar.TarArchiveOutputStream(tar)) {
            org.apache.commons.compress.archivers.tar.TarArchiveEntry entry =
                    new org.apache.commons.compress.archivers.tar.TarArchiveEntry("tagged");
            entry.addPaxHeader("SCHILY.xattr.user.origin", "layer");
            entry.setSize(1);
            out.putArchiveEntry(entry);
            out.write('x');
            out.closeArchiveEntry();
        }
        apply(tar.toByteArray());
        java.nio.file.attribute.UserDefinedFileAttributeView view = Files.getFileAttributeView(
                rootfs.resolve("tagged"), java.nio.file.attribute.UserDefinedFileAttributeView.class);
        java.nio.ByteBuffer value = java.nio.ByteBuffer.allocate(16);
        int n = view.read("origin", value);
        assertEquals("layer", new String(value.array(), 0, n, StandardCharsets.UTF_8));
    }

    @Test
    void hardLinksShareTheInode() throws Exception {
        apply(new TarBuilder().file("a", "x").hardlink("b", "a").build());
        assertEquals(Files.getAttribute(rootfs.resolve("a"), "unix:ino"), Files.getAttribute(rootfs.resolve("b"), "unix:ino"));
    }

    @Test
    void aWhiteoutBecomesOverlayfsWhiteoutDevice() throws Exception {
        apply(new TarBuilder().dir("etc", 0755).file("etc/.wh.a", "").build());
        assertEquals(0020000, attr("etc/a", "mode") & 0170000, "a character device");
        assertEquals(0L, Files.getAttribute(rootfs.resolve("etc/a"), "unix:rdev", LinkOption.NOFOLLOW_LINKS));
        assertFalse(Files.exists(rootfs.resolve("etc/.wh.a"), LinkOption.NOFOLLOW_LINKS),
                "markers are not files of the image");
    }

    /** What the issue asks to show: a second layer that deletes a file and makes a directory opaque. */
    @Test
    void stackedLayersHideWhatTheUpperDeletesOrMakesOpaque(@TempDir Path store) throws Exception {
        Path lower = store.resolve("lower");
        Path upper = store.resolve("upper");
        unpack(lower, new TarBuilder().dir("etc", 0755).file("etc/a", "a").file("etc/b", "b").dir("data", 0755)
                .file("data/old", "old").dir("data/sub", 0755).build());
        unpack(upper, new TarBuilder().file("etc/.wh.a", "").dir("data", 0755).file("data/.wh..wh..opq", "")
                .file("data/new", "new").build());
        Path container = Files.createDirectories(store.resolve("container"));
        Snapshots.prepare(List.of(upper, lower), container);
        try {
            Path merged = Snapshots.rootfs(container);
            assertFalse(Files.exists(merged.resolve("etc/a"), LinkOption.NOFOLLOW_LINKS));
            assertEquals("b", Files.readString(merged.resolve("etc/b")));
            assertFalse(Files.exists(merged.resolve("data/old"), LinkOption.NOFOLLOW_LINKS));
            assertFalse(Files.exists(merged.resolve("data/sub"), LinkOption.NOFOLLOW_LINKS));
            assertEquals("new", Files.readString(merged.resolve("data/new")));
            assertFalse(Files.exists(merged.resolve("data/.wh..wh..opq"), LinkOption.NOFOLLOW_LINKS));
        } finally {
            Snapshots.remove(container);
        }
    }

    @Test
    void rewritingAFileBehindASymlinkReplacesTheLinkNotItsTarget(@TempDir Path outside) throws Exception {
        Path victim = outside.resolve("victim");
        Files.writeString(victim, "original");
        apply(new TarBuilder().symlink("s", victim.toString()).build());
        apply(new TarBuilder().file("s", "overwritten").build());
        assertEquals("original", Files.readString(victim));
        assertEquals("overwritten", Files.readString(rootfs.resolve("s")));
    }

    @Test
    void missingParentsAreCreated() throws Exception {
        apply(new TarBuilder().file("usr/local/bin/tool", "t").build());
        assertTrue(Files.isDirectory(rootfs.resolve("usr/local/bin")));
    }
}
