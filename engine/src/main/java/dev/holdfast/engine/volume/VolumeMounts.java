package dev.holdfast.engine.volume;

import dev.holdfast.engine.errdefs.DomainException;
import dev.holdfast.engine.host.HostCommand;
import dev.holdfast.engine.host.MountTable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.logging.Logger;

/**
 * Which running containers hold each volume that has driver options, and its mount: made by the first, undone when
 * the last lets go, as dockerd's local driver counts. The mounts are in the host's mount namespace, so they outlive
 * the engine; the holders are rebuilt at boot from the containers that still run.
 */
final class VolumeMounts {
    private static final Logger LOG = Logger.getLogger(VolumeMounts.class.getName());

    private final Map<String, Set<String>> holders = new HashMap<>();

    /** {@code containerId} runs with {@code v}: mounted unless it is already. */
    synchronized void hold(Volume v, Path data, String containerId) {
        LocalDriverOptions options = LocalDriverOptions.parse(v.options());
        if (options == null) {
            return;
        }
        holders.computeIfAbsent(v.name(), n -> new HashSet<>()).add(containerId);
        try {
            if (MountTable.isMounted(data)) {
                return;
            }
        } catch (IOException e) {
            throw DomainException.system("reading the mount table for volume " + v.name() + ": " + e.getMessage(), e);
        }
        String what = "mounting volume " + v.name() + " for container " + containerId;
        HostCommand.Result mount = HostCommand.run(options.mountCommand(data), new byte[0], what);
        if (!mount.ok()) {
            release(v, data, containerId);
            throw DomainException.system("error while mounting volume '" + data + "': " + what + ": "
                    + String.join(" ", options.mountCommand(data)) + ": " + mount.stderr().strip(), null);
        }
    }

    /** {@code containerId} stopped using {@code v}: unmounted when no other running container holds it. */
    synchronized void release(Volume v, Path data, String containerId) {
        Set<String> held = holders.get(v.name());
        if (held != null) {
            held.remove(containerId);
            if (!held.isEmpty()) {
                return;
            }
            holders.remove(v.name());
        }
        unmountQuietly(v, data);
    }

    /** Whether a running container holds {@code v}. */
    synchronized boolean held(String volume) {
        return holders.containsKey(volume);
    }

    /** Before a volume's data directory is deleted, or at boot for a volume no running container holds. */
    synchronized void unmountQuietly(Volume v, Path data) {
        if (LocalDriverOptions.parse(v.options()) == null) {
            return;
        }
        try {
            MountTable.unmount(data, "unmounting volume " + v.name());
        } catch (IOException | RuntimeException e) {
            LOG.warning("unmounting volume " + v.name() + " at " + data + ": " + e.getMessage());
        }
    }
}
