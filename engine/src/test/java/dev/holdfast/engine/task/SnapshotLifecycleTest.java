package dev.holdfast.engine.task;

import dev.holdfast.engine.host.MountTable;
import static dev.holdfast.engine.task.EngineFixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.holdfast.engine.container.Container;
import dev.holdfast.engine.image.Snapshots;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The mount lifetime of containers' overlay snapshots across create, start, engine restarts and remove (root). */
class SnapshotLifecycleTest {
    private static final String BUSYBOX = "{\"Image\":\"busybox\",\"Cmd\":[\"sleep\",\"1000\"]}";

    @TempDir
    Path root;
    EngineFixture engine;

    @BeforeEach
    void start() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "overlay mounts need root");
        engine = new EngineFixture(root, true, true);
    }

    @AfterEach
    void stop() throws Exception {
        if (engine != null) {
            engine.close();
        }
        if (root != null) {
            List<Path> left = MountTable.mountsUnder(root, "overlay");
            for (Path mount : left) {
                Snapshots.unmount(mount);
            }
            assertEquals(List.of(), left, "mounts left behind");
        }
    }

    private static int mounts(Path point) throws Exception {
        String target = point.toRealPath().toString();
        return (int) Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
                .filter(l -> l.split(" ")[4].equals(target)).count();
    }

    @Test
    void createMountsStartRemountsWhatIsMissingAndRemoveUnmounts() throws Exception {
        Container c = engine.create("web", BUSYBOX);
        assertTrue(MountTable.isMounted(c.rootfs()), "mounted at create");
        assertTrue(Files.exists(c.rootfs().resolve("etc/passwd")));
        Files.writeString(c.rootfs().resolve("written"), "12345");
        assertEquals(5, engine.service.images().writableSize(c.dir()));

        Snapshots.unmount(c.rootfs()); // a reboot, or a crash between create and start
        engine.service.start(c);
        assertEquals(1, mounts(c.rootfs()), "mounted again by the start");
        assertEquals("12345", Files.readString(c.rootfs().resolve("written")));

        engine.service.remove(c, true, false);
        assertFalse(MountTable.isMounted(c.rootfs()));
        assertFalse(Files.exists(c.dir()));
    }

    @Test
    void anEngineRestartLeavesARunningContainersMountAloneOrRestoresAMissingOne() throws Exception {
        Container c = engine.run("web", BUSYBOX);
        engine.restartEngine();
        Container adopted = engine.service.store().get("web");
        assertEquals("running", adopted.record().state().status());
        assertEquals(1, mounts(adopted.rootfs()), "not mounted over");

        Snapshots.unmount(c.rootfs());
        engine.restartEngine();
        assertEquals(1, mounts(c.rootfs()), "the boot mounted the running container's rootfs again");
        engine.service.remove(engine.service.store().get("web"), true, false);
        assertFalse(MountTable.isMounted(c.rootfs()));
        assertFalse(Files.exists(c.dir()));
    }

    @Test
    void aBootUnmountsAndDeletesSnapshotsWithoutARecord() throws Exception {
        Container kept = engine.create("kept", BUSYBOX);
        Container doomed = engine.create("doomed", BUSYBOX);
        // A crash in the middle of the removal: the record is gone, the mount is not.
        Files.delete(doomed.dir().resolve("container.json"));
        engine.restartEngine();
        assertFalse(MountTable.isMounted(doomed.rootfs()));
        assertFalse(Files.exists(doomed.dir()));
        assertTrue(MountTable.isMounted(kept.rootfs()), "a container with a record keeps its mount");
        engine.restartEngine(); // idempotent
        assertTrue(MountTable.isMounted(kept.rootfs()));
        engine.service.remove(engine.service.store().get("kept"), false, false);
        await("no mounts", () -> {
            try {
                return MountTable.mountsUnder(root, "overlay").isEmpty();
            } catch (Exception e) {
                return false;
            }
        });
    }
}
