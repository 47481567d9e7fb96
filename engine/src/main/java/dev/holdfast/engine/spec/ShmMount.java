package dev.holdfast.engine.spec;

import dev.holdfast.engine.container.HostConfig;
import dev.holdfast.engine.errdefs.DomainException;
import java.util.List;
import java.util.Map;

/** The container's {@code /dev/shm} as its IpcMode and ShmSize make it, the way dockerd mounts it. */
public final class ShmMount {
    /** dockerd's default ShmSize, 64 MiB. */
    public static final long DEFAULT_SIZE = 64L * 1024 * 1024;

    private ShmMount() {}

    /** 400 for a negative size, in dockerd's words. */
    public static void validate(HostConfig host) {
        if (host.shmSize() != null && host.shmSize() < 0) {
            throw DomainException.invalidParameter("SHM size can not be less than 0");
        }
    }

    /**
     * The host tmpfs of a shareable IPC (its own, or the one of the container it joins); else a tmpfs of ShmSize of
     * its own; the host's for {@code host}; none for {@code none}.
     */
    static List<Map<String, Object>> of(HostConfig host, JoinedNamespaces joined) {
        if (joined.hostShm() != null) {
            return List.of(bind(joined.hostShm()));
        }
        return switch (host.ipcMode() == null ? "" : host.ipcMode()) {
            case "none" -> List.of();
            case "host" -> List.of(bind("/dev/shm"));
            default -> List.of(OciSpecBuilder.mount("/dev/shm", "tmpfs", "shm", "nosuid", "noexec", "nodev",
                    "mode=1777", "size=" + size(host)));
        };
    }

    /** ShmSize in bytes, dockerd's default where it is not set. */
    public static long size(HostConfig host) {
        return host.shmSize() == null || host.shmSize() == 0 ? DEFAULT_SIZE : host.shmSize();
    }

    private static Map<String, Object> bind(String source) {
        return OciSpecBuilder.mount("/dev/shm", "bind", source, "rbind", "rprivate");
    }
}
