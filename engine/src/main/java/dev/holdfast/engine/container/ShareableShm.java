package dev.holdfast.engine.container;

import dev.holdfast.engine.errdefs.DomainException;
import dev.holdfast.engine.host.HostCommand;
import dev.holdfast.engine.host.MountTable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The {@code /dev/shm} of a container with {@code IpcMode: shareable}: a tmpfs mounted on the host in the container's
 * directory (dockerd's ShmPath), so that the containers joining its IPC namespace can bind the same one; a tmpfs in
 * the container's own mount namespace could not be bound into another's. Mounted for each run, unmounted when the
 * run ends (a joiner still running keeps its own bind of it).
 */
final class ShareableShm {
    private static final Logger LOG = Logger.getLogger(ShareableShm.class.getName());

    private ShareableShm() {}

    static Path pathOf(Path containerDir) {
        return containerDir.resolve("shm");
    }

    /** Mounts the tmpfs of {@code size} bytes unless it is mounted already (a run after an engine restart). */
    static Path mount(Path containerDir, long size, String containerId) {
        Path shm = pathOf(containerDir);
        try {
            Files.createDirectories(shm);
            if (MountTable.isMounted(shm)) {
                return shm;
            }
        } catch (IOException e) {
            throw DomainException.system("preparing the shareable /dev/shm of container " + containerId + " at " + shm
                    + ": " + e.getMessage(), e);
        }
        String what = "mounting the shareable /dev/shm of container " + containerId;
        HostCommand.Result result = HostCommand.run(List.of("mount", "-t", "tmpfs", "-o",
                "nosuid,nodev,noexec,mode=1777,size=" + size, "shm", shm.toString()), new byte[0], what);
        if (!result.ok()) {
            throw DomainException.system(what + " at " + shm + ": " + result.stderr().strip(), null);
        }
        return shm;
    }

    /** Unmounts it if it is mounted; a failure is only logged, the next run or the removal tries again. */
    static void unmountQuietly(Path containerDir) {
        Path shm = pathOf(containerDir);
        if (!Files.isDirectory(shm)) {
            return;
        }
        try {
            MountTable.unmount(shm, "unmounting the shareable /dev/shm at " + shm);
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.WARNING, "unmounting the shareable /dev/shm at " + shm + ": " + e.getMessage());
        }
    }
}
