package dev.holdfast.engine.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** mount(2) and umount2(2) on real tmpfs mounts (the tests run as root, as the engine does). */
class MountCallsTest {
    private static final long MS_BIND = 4096;

    @TempDir
    Path dir;

    @Test
    void mountsAndUnmountsOnceThenSaysNothingIsMounted() throws IOException {
        MountCalls.mount("tmpfs", dir, "tmpfs", "size=1m");
        assertTrue(MountTable.isMounted(dir));

        assertTrue(MountCalls.unmount(dir, false));
        assertFalse(MountTable.isMounted(dir));
        assertFalse(MountCalls.unmount(dir, false), "nothing is mounted any more");
    }

    @Test
    void theMountTableUnmountsEveryStackedMountAndAnswersAsMountinfoDoes() throws IOException {
        Path file = dir.resolve("file");
        Files.writeString(file, "x");
        MountCalls.mount("tmpfs", dir, "tmpfs", "size=1m");
        MountCalls.mount("tmpfs", dir, "tmpfs", "size=1m");
        assertTrue(MountTable.isMounted(dir));
        assertEquals(2, MountTable.eachMountUnder(dir.getParent()).stream().filter(dir::equals).count());
        assertFalse(MountTable.isMounted(dir.resolve("missing")), "nothing there: not mounted");

        MountTable.unmount(dir, "test");
        assertFalse(MountTable.isMounted(dir));
        assertEquals(0, MountTable.eachMountUnder(dir.getParent()).stream().filter(dir::equals).count());
        assertFalse(MountTable.isMounted(file), "a plain file under what was mounted");
        MountTable.unmount(dir, "test"); // nothing mounted: fine
    }

    @Test
    void aBindMountOfAFileIsMountedAsANetworkNamespaceFileIs() throws IOException {
        Path source = dir.resolve("source");
        Path target = dir.resolve("target");
        Files.writeString(source, "x");
        Files.writeString(target, "");
        assertEquals(0, LibC.INSTANCE.mount(source.toString(), target.toString(), null, MS_BIND, null));
        assertTrue(MountTable.isMounted(target));
        assertFalse(MountTable.isMounted(source));

        MountTable.unmount(target, "test");
        assertFalse(MountTable.isMounted(target));
    }

    @Test
    void aBadMountNamesTheCallAndTheKernelsReason() {
        IOException e = assertThrows(IOException.class,
                () -> MountCalls.mount("overlay", dir, "overlay", "lowerdir=" + dir.resolve("missing")));
        assertTrue(e.getMessage().startsWith("mount -t overlay overlay " + dir + ": "), e.getMessage());
        assertTrue(e.getMessage().contains("No such file or directory"), e.getMessage());
    }

    @Test
    void aBusyMountIsDetachedLazilyByTheMountTable() throws IOException {
        MountCalls.mount("tmpfs", dir, "tmpfs", "size=1m");
        Files.writeString(dir.resolve("held"), "x");
        try (InputStream held = Files.newInputStream(dir.resolve("held"))) {
            IOException busy = assertThrows(IOException.class, () -> MountCalls.unmount(dir, false));
            assertTrue(busy.getMessage().contains("busy"), busy.getMessage());

            MountTable.unmount(dir, "test");
            assertFalse(MountTable.isMounted(dir));
        }
    }
}
