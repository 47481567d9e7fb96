package dev.holdfast.engine.image;

import dev.holdfast.engine.host.MountTable;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real overlay mounts (needs root): each test unmounts whatever it left, so that no mount outlives it. */
class SnapshotsTest {
    @TempDir
    Path tmp;

    private Path image;
    private Path container;

    @BeforeEach
    void setUp() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "overlay mounts need root");
        image = tmp.resolve("image");
        container = tmp.resolve("containers/c1");
        Files.createDirectories(container);
        Files.createDirectory(image);
        new LayerUnpacker(image).unpack(new ByteArrayInputStream(new TarBuilder()
                .dir("bin", 0755)
                .file("bin/busybox", "bb".getBytes(StandardCharsets.UTF_8), 04755, 0, 0)
                .symlink("bin/sh", "busybox")
                .hardlink("bin/busybox2", "bin/busybox")
                .file("home/u/f", "u".getBytes(StandardCharsets.UTF_8), 0640, 1000, 1000)
                .dir("ro", 0555)
                .symlink("escape", "/")
                .build()));
    }

    @AfterEach
    void unmountEverything() throws Exception {
        if (tmp != null) {
            for (Path mount : MountTable.mountsUnder(tmp, "overlay")) {
                Snapshots.unmount(mount);
            }
            assertEquals(List.of(), MountTable.mountsUnder(tmp, "overlay"), "a test left a mount behind");
        }
    }

    private Object attr(Path root, String path, String name) throws IOException {
        return Files.getAttribute(root.resolve(path), "unix:" + name, LinkOption.NOFOLLOW_LINKS);
    }

    @Test
    void prepareMountsAnOverlayWhoseWritesStayInTheContainer() throws Exception {
        Snapshots.prepare(List.of(image), container);
        Path rootfs = Snapshots.rootfs(container);
        assertTrue(MountTable.isMounted(rootfs));
        assertEquals(List.of(rootfs.toRealPath()), MountTable.mountsUnder(tmp, "overlay"));
        assertEquals(04755, (int) attr(rootfs, "bin/busybox", "mode") & 07777);
        assertEquals(1000, attr(rootfs, "home/u/f", "uid"));
        assertEquals(0555, (int) attr(rootfs, "ro", "mode") & 07777);
        assertEquals("busybox", Files.readSymbolicLink(rootfs.resolve("bin/sh")).toString());

        Files.writeString(rootfs.resolve("bin/busybox"), "changed");
        Files.delete(rootfs.resolve("home/u/f"));
        Files.writeString(rootfs.resolve("new"), "new");
        assertEquals("bb", Files.readString(image.resolve("bin/busybox")), "the image is never written");
        assertTrue(Files.exists(image.resolve("home/u/f")));
        assertFalse(Files.exists(image.resolve("new")));
        assertEquals("changed", Files.readString(Snapshots.upper(container).resolve("bin/busybox")));
        assertFalse(Files.exists(rootfs.resolve("home/u/f")));
    }

    @Test
    void ensureMountedRemountsAMissingMountAndLeavesALiveOneAlone() throws Exception {
        Snapshots.prepare(List.of(image), container);
        Path rootfs = Snapshots.rootfs(container);
        Files.writeString(rootfs.resolve("kept"), "kept");
        assertFalse(Snapshots.ensureMounted(List.of(image), container), "mounted already: nothing to do");
        assertEquals(1, mountCount(rootfs), "no second mount stacked over the live one");

        Snapshots.unmount(rootfs); // as after a reboot
        assertFalse(MountTable.isMounted(rootfs));
        assertFalse(Files.exists(rootfs.resolve("kept")));
        assertTrue(Snapshots.ensureMounted(List.of(image), container));
        assertEquals("kept", Files.readString(rootfs.resolve("kept")), "what the container wrote survives a remount");
        assertTrue(Files.exists(rootfs.resolve("bin/busybox")));
        assertEquals(1, mountCount(rootfs));
    }

    @Test
    void removeUnmountsAndDeletesAndIsIdempotent() throws Exception {
        Path outside = tmp.resolve("outside");
        Files.createDirectory(outside);
        Files.writeString(outside.resolve("keep"), "keep");
        Snapshots.prepare(List.of(image), container);
        Path rootfs = Snapshots.rootfs(container);
        Files.createSymbolicLink(rootfs.resolve("out"), outside);
        Files.createSymbolicLink(rootfs.resolve("ro/out"), outside.resolve("keep"));
        Snapshots.remove(container);
        assertFalse(MountTable.isMounted(rootfs));
        assertFalse(Files.exists(rootfs, LinkOption.NOFOLLOW_LINKS));
        assertFalse(Files.exists(Snapshots.upper(container), LinkOption.NOFOLLOW_LINKS));
        assertFalse(Files.exists(Snapshots.work(container), LinkOption.NOFOLLOW_LINKS));
        assertTrue(Files.exists(outside.resolve("keep")));
        assertTrue(Files.exists(image.resolve("bin/busybox")));
        Snapshots.remove(container); // already gone: fine
        Snapshots.unmount(rootfs);
    }

    @Test
    void changedBytesIsTheUpperDirectory() throws Exception {
        Snapshots.prepare(List.of(image), container);
        Path rootfs = Snapshots.rootfs(container);
        assertEquals(0, Snapshots.changedBytes(container), "a fresh snapshot wrote nothing");
        Files.write(rootfs.resolve("home/u/new"), new byte[100]);
        Files.createLink(rootfs.resolve("home/u/new2"), rootfs.resolve("home/u/new"));
        assertEquals(100, Snapshots.changedBytes(container), "hard links count once");
        Files.writeString(rootfs.resolve("bin/busybox"), "BB!");
        assertEquals(103, Snapshots.changedBytes(container), "a rewritten image file counts");
        Files.delete(rootfs.resolve("home/u/f"));
        Files.createSymbolicLink(rootfs.resolve("home/u/link"), Path.of("new"));
        assertEquals(103, Snapshots.changedBytes(container), "deletions (whiteouts) and symlinks count nothing");
        assertEquals(0, Snapshots.changedBytes(tmp.resolve("missing")));
    }

    @Test
    void prepareRefusesAnExistingSnapshot() throws Exception {
        Files.createDirectory(Snapshots.rootfs(container));
        IOException e = assertThrows(IOException.class, () -> Snapshots.prepare(List.of(image), container));
        assertTrue(e.getMessage().contains(container.toString()), e.getMessage());
    }

    @Test
    void aFailedMountSaysWhatFailedAndLeavesNothing() throws Exception {
        // A lower directory that does not exist: overlayfs refuses it.
        IOException e = assertThrows(IOException.class, () -> Snapshots.prepare(List.of(tmp.resolve("no-image")), container));
        assertTrue(e.getMessage().contains(Snapshots.rootfs(container).toString()) || e.getMessage().contains("no-image"),
                e.getMessage());
        assertFalse(Files.exists(Snapshots.rootfs(container), LinkOption.NOFOLLOW_LINKS));
        assertFalse(Files.exists(Snapshots.upper(container), LinkOption.NOFOLLOW_LINKS));

        // The mount command itself failing (a workdir on another filesystem than the upper dir is refused).
        Path rootfs = Snapshots.rootfs(container);
        Files.createDirectories(Snapshots.upper(container));
        Files.createDirectories(rootfs);
        Files.createSymbolicLink(Snapshots.work(container), Path.of("/dev/shm"));
        IOException mount = assertThrows(IOException.class, () -> Snapshots.ensureMounted(List.of(image), container));
        assertTrue(mount.getMessage().contains("mount -t overlay") && mount.getMessage().contains(rootfs.toRealPath().toString()),
                mount.getMessage());
        assertFalse(MountTable.isMounted(rootfs));
    }

    @Test
    void pathsOverlayfsCannotTakeAreRefused() throws Exception {
        Path odd = tmp.resolve("a,b");
        Files.createDirectories(odd);
        IOException e = assertThrows(IOException.class, () -> Snapshots.prepare(List.of(image), odd));
        assertTrue(e.getMessage().contains("comma"), e.getMessage());
        assertFalse(Files.exists(Snapshots.upper(odd)));
    }

    private static long mountCount(Path point) throws IOException {
        String target = point.toRealPath().toString();
        return Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
                .filter(l -> l.split(" ")[4].equals(target)).count();
    }
}
