package dev.holdfast.engine.host;

import dev.holdfast.engine.errdefs.DomainException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A limit the host's cgroups may or may not be able to apply, probed as dockerd's sysinfo probes it: on cgroup v1 by
 * the controller's file, on v2 by the controller being enabled. The blkio weight files, for one, exist on v1 only
 * while a proportional I/O scheduler (CFQ, BFQ) is in use.
 */
public enum CgroupFeature {
    BLKIO_WEIGHT("Block I/O weight", "io", "blkio/blkio.weight", "blkio/blkio.bfq.weight"),
    BLKIO_WEIGHT_DEVICE("Block I/O weight_device", "io", "blkio/blkio.weight_device", "blkio/blkio.bfq.weight_device"),
    BLKIO_READ_BPS("BPS Block I/O read limit", "io", "blkio/blkio.throttle.read_bps_device"),
    BLKIO_WRITE_BPS("BPS Block I/O write limit", "io", "blkio/blkio.throttle.write_bps_device"),
    BLKIO_READ_IOPS("IOPS Block read limit", "io", "blkio/blkio.throttle.read_iops_device"),
    BLKIO_WRITE_IOPS("IOPS Block write limit", "io", "blkio/blkio.throttle.write_iops_device"),
    /** cgroup v2 has no way to turn the OOM killer off. */
    OOM_KILL_DISABLE("OomKillDisable", null, "memory/memory.oom_control"),
    /** Nor a per-cgroup swappiness. */
    MEMORY_SWAPPINESS("memory swappiness capabilities", null, "memory/memory.swappiness"),
    MEMORY_RESERVATION("memory soft limit capabilities", "memory", "memory/memory.soft_limit_in_bytes"),
    CPUSET("cpuset", "cpuset", "cpuset/cpuset.cpus");

    private static final Path ROOT = Path.of("/sys/fs/cgroup");

    private final String dockerName;
    private final String v2Controller;
    private final List<String> v1Files;

    CgroupFeature(String dockerName, String v2Controller, String... v1Files) {
        this.dockerName = dockerName;
        this.v2Controller = v2Controller;
        this.v1Files = List.of(v1Files);
    }

    public boolean available() {
        if (unified()) {
            return v2Controller != null && List.of(read(ROOT.resolve("cgroup.controllers")).split("\\s+"))
                    .contains(v2Controller);
        }
        return v1Files.stream().anyMatch(file -> Files.exists(ROOT.resolve(file)));
    }

    /**
     * A 400 with dockerd's words for the missing feature ("Your kernel does not support X or the cgroup is not
     * mounted") unless it is available: where dockerd drops the setting with a warning, holdfast refuses it.
     *
     * @param field the option that needs it, e.g. {@code HostConfig.BlkioWeight}
     */
    public void require(String field) {
        if (!available()) {
            throw DomainException.invalidParameter("Your kernel does not support " + dockerName
                    + " or the cgroup is not mounted: " + field + " cannot be applied on this host");
        }
    }

    /** The CPUs containers may be pinned to ({@code 0-1}), from the root cpuset. */
    public static String cpus() {
        return read(ROOT.resolve(unified() ? "cpuset.cpus.effective" : "cpuset/cpuset.cpus"));
    }

    /** The memory nodes containers may use ({@code 0}), from the root cpuset. */
    public static String mems() {
        return read(ROOT.resolve(unified() ? "cpuset.mems.effective" : "cpuset/cpuset.mems"));
    }

    private static boolean unified() {
        return Files.exists(ROOT.resolve("cgroup.controllers"));
    }

    /** The file's trimmed text; "" when it cannot be read, which leaves the feature unavailable. */
    private static String read(Path file) {
        try {
            return Files.readString(file).trim();
        } catch (IOException e) {
            return "";
        }
    }
}
