package dev.holdfast.engine.host;

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
