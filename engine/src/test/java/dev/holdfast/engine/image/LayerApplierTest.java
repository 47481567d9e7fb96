package dev.holdfast.engine.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LayerApplierTest {
    @TempDir
    Path rootfs;

    private LayerApplier.AppliedLayer apply(byte[] tar) throws Exception {
        return new LayerApplier(rootfs).apply(new ByteArrayInputStream(tar));
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
        LayerApplier.AppliedLayer applied = apply(TarBuilder.gzip(tar));
        assertEquals(SavedImage.sha256(tar), applied.diffId());
        assertEquals(5, applied.size());
        assertEquals("hello", Files.readString(rootfs.resolve("a")));
    }

    @Test
    void hardLinksShareTheInode() throws Exception {
        apply(new TarBuilder().file("a", "x").hardlink("b", "a").build());
        assertEquals(Files.getAttribute(rootfs.resolve("a"), "unix:ino"), Files.getAttribute(rootfs.resolve("b"), "unix:ino"));
    }

    @Test
    void whiteoutDeletesFromLowerLayers() throws Exception {
        apply(new TarBuilder().dir("etc", 0755).file("etc/a", "a").file("etc/b", "b").dir("etc/d", 0755)
                .file("etc/d/x", "x").build());
        apply(new TarBuilder().file("etc/.wh.a", "").file("etc/.wh.d", "").build());
        assertFalse(Files.exists(rootfs.resolve("etc/a")));
        assertFalse(Files.exists(rootfs.resolve("etc/d")));
        assertFalse(Files.exists(rootfs.resolve("etc/.wh.a")), "markers are not files of the image");
        assertTrue(Files.exists(rootfs.resolve("etc/b")));
    }

    @Test
    void opaqueDirectoryHidesOnlyLowerLayers() throws Exception {
        apply(new TarBuilder().dir("data", 0755).file("data/old", "old").dir("data/sub", 0755).build());
        apply(new TarBuilder().dir("data", 0755).file("data/new", "new").file("data/.wh..wh..opq", "")
                .file("data/later", "later").build());
        assertFalse(Files.exists(rootfs.resolve("data/old")));
        assertFalse(Files.exists(rootfs.resolve("data/sub")));
        assertTrue(Files.exists(rootfs.resolve("data/new")));
        assertTrue(Files.exists(rootfs.resolve("data/later")));
        assertFalse(Files.exists(rootfs.resolve("data/.wh..wh..opq")));
    }

    @Test
    void laterLayersReplaceFilesSymlinksAndDirectories() throws Exception {
        apply(new TarBuilder().file("f", "one").symlink("s", "/etc/passwd").dir("d", 0755).file("d/x", "x").build());
        apply(new TarBuilder().file("f", "two").file("s", "not a link any more").file("d", "a file now").build());
        assertEquals("two", Files.readString(rootfs.resolve("f")));
        assertFalse(Files.isSymbolicLink(rootfs.resolve("s")));
        assertEquals("not a link any more", Files.readString(rootfs.resolve("s")));
        assertTrue(Files.isRegularFile(rootfs.resolve("d"), LinkOption.NOFOLLOW_LINKS));
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
