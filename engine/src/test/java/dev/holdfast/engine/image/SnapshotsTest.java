package dev.holdfast.engine.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SnapshotsTest {
    @TempDir
    Path tmp;

    private Path image;
    private Path snapshot;

    @BeforeEach
    void setUp() throws Exception {
        image = tmp.resolve("image");
        snapshot = tmp.resolve("snapshot");
        Files.createDirectory(image);
        new LayerApplier(image).apply(new ByteArrayInputStream(new TarBuilder()
                .dir("bin", 0755)
                .file("bin/busybox", "bb".getBytes(StandardCharsets.UTF_8), 04755, 0, 0)
                .symlink("bin/sh", "busybox")
                .hardlink("bin/busybox2", "bin/busybox")
                .file("home/u/f", "u".getBytes(StandardCharsets.UTF_8), 0640, 1000, 1000)
                .dir("ro", 0555)
                .symlink("escape", "/")
                .build()));
        Files.createDirectories(image.resolve("many"));
        for (int i = 0; i < 400; i++) {
            Files.createSymbolicLink(image.resolve("many/l" + i), Path.of("../bin/busybox"));
        }
        Files.setLastModifiedTime(image.resolve("bin"), FileTime.from(Instant.parse("2020-01-01T00:00:00Z")));
    }

    private Object attr(Path root, String path, String name) throws IOException {
        return Files.getAttribute(root.resolve(path), "unix:" + name, LinkOption.NOFOLLOW_LINKS);
    }

    @Test
    void copyKeepsModesOwnersLinksAndTimes() throws Exception {
        Snapshots.prepare(image, snapshot);
        assertEquals(04755, (int) attr(snapshot, "bin/busybox", "mode") & 07777);
        assertEquals(1000, attr(snapshot, "home/u/f", "uid"));
        assertEquals(0640, (int) attr(snapshot, "home/u/f", "mode") & 07777);
        assertEquals(0555, (int) attr(snapshot, "ro", "mode") & 07777);
        assertEquals("busybox", Files.readSymbolicLink(snapshot.resolve("bin/sh")).toString());
        assertEquals(400, Files.list(snapshot.resolve("many")).filter(Files::isSymbolicLink).count());
        assertEquals(attr(snapshot, "bin/busybox", "ino"), attr(snapshot, "bin/busybox2", "ino"));
        assertNotEquals(attr(image, "bin/busybox", "ino"), attr(snapshot, "bin/busybox", "ino"));
        assertEquals(Files.getLastModifiedTime(image.resolve("bin")), Files.getLastModifiedTime(snapshot.resolve("bin")));
    }

    @Test
    void removeNeverFollowsSymlinksOut() throws Exception {
        Path outside = tmp.resolve("outside");
        Files.createDirectory(outside);
        Files.writeString(outside.resolve("keep"), "keep");
        Snapshots.prepare(image, snapshot);
        Files.createSymbolicLink(snapshot.resolve("out"), outside);
        Files.createSymbolicLink(snapshot.resolve("ro/out"), outside.resolve("keep"));
        Snapshots.remove(snapshot);
        assertFalse(Files.exists(snapshot, LinkOption.NOFOLLOW_LINKS));
        assertTrue(Files.exists(outside.resolve("keep")));
        assertTrue(Files.exists(image.resolve("bin/busybox")));
        Snapshots.remove(snapshot); // already gone: fine
    }

    @Test
    void changedBytesCountOnlyWhatTheContainerWrote() throws Exception {
        Snapshots.prepare(image, snapshot);
        assertEquals(0, Snapshots.changedBytes(image, snapshot), "a fresh copy wrote nothing");
        assertEquals(3, Snapshots.changedBytes(null, snapshot), "without the image, every file counts (links once)");
        Files.write(snapshot.resolve("home/u/new"), new byte[100]);
        assertEquals(100, Snapshots.changedBytes(image, snapshot));
        // Rewritten in place: its time changes, so it counts, once for both of its hard links.
        Files.writeString(snapshot.resolve("bin/busybox"), "BB!");
        assertEquals(103, Snapshots.changedBytes(image, snapshot));
        Files.delete(snapshot.resolve("home/u/f"));
        Files.createSymbolicLink(snapshot.resolve("home/u/link"), Path.of("new"));
        assertEquals(103, Snapshots.changedBytes(image, snapshot), "deletions and symlinks count nothing");
        assertEquals(0, Snapshots.changedBytes(image, tmp.resolve("missing")));
    }

    @Test
    void prepareRefusesAnExistingTarget() throws Exception {
        Files.createDirectory(snapshot);
        assertThrows(IOException.class, () -> Snapshots.prepare(image, snapshot));
    }
}
