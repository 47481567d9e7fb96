package dev.holdfast.engine.spec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Limits of the host the daemons run under, which a container's limits cannot exceed without CAP_SYS_RESOURCE. */
public final class HostLimits {
    private HostLimits() {}

    /** The hard RLIMIT_NOFILE of this process (the supervisor's is started alike), or {@code fallback}. */
    public static long openFilesHardLimit(long fallback) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
                if (line.startsWith("Max open files")) {
                    String hard = line.substring("Max open files".length()).trim().split("\\s+")[1];
                    return hard.equals("unlimited") ? fallback : Long.parseLong(hard);
                }
            }
        } catch (IOException | RuntimeException e) {
            // Unknown: keep the fallback.
        }
        return fallback;
    }

    /**
     * The capability bounding set of this process (the supervisor's and runc's is the same) as a bit per capability
     * number; a container cannot be granted more. All bits when unknown.
     */
    public static long boundingCapabilities() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("CapBnd:")) {
                    return Long.parseUnsignedLong(line.substring("CapBnd:".length()).trim(), 16);
                }
            }
        } catch (IOException | RuntimeException e) {
            // Unknown: let runc decide.
        }
        return -1L;
    }

    /** The host's memory in bytes (MemTotal of /proc/meminfo), or 0 when unknown. */
    public static long memoryTotal() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // Unknown: 0, which docker info and stats print as such.
        }
        return 0;
    }
}
