package dev.holdfast.engine.spec;

import dev.holdfast.engine.api.ApiException;
import dev.holdfast.engine.container.HostConfig;
import dev.holdfast.engine.errdefs.DomainException;
import dev.holdfast.engine.host.CgroupFeature;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * HostConfig's resource limits (memory, CPU, cpuset, pids, block I/O) as the OCI spec's {@code linux.resources}; the
 * same object is what the supervisor's Update takes. runc writes it to cgroup v1 or translates it for v2.
 */
public final class Resources {
    /** dockerd's linuxMinMemory. */
    static final long MIN_MEMORY = 6 * 1024 * 1024;
    static final long CPU_PERIOD = 100_000;

    private Resources() {}

    /** 400 with dockerd's wording for limits it refuses. */
    public static void validate(HostConfig host) {
        long memory = value(host.memory());
        long swap = value(host.memorySwap());
        if (memory != 0 && memory < MIN_MEMORY) {
            throw ApiException.badRequest("Minimum memory limit allowed is 6MB");
        }
        if (memory > 0 && swap > 0 && swap < memory) {
            throw ApiException.badRequest("Minimum memoryswap limit should be larger than memory limit, see usage");
        }
        if (memory == 0 && swap > 0) {
            throw ApiException.badRequest("You should always set the Memory limit when using Memoryswap limit, see usage");
        }
        validateMemoryExtras(host, memory);
        long nanoCpus = value(host.nanoCpus());
        if (nanoCpus > 0 && (value(host.cpuQuota()) > 0 || value(host.cpuPeriod()) > 0)) {
            throw ApiException.badRequest("Conflicting options: Nano CPUs and CPU Period cannot both be set");
        }
        int cpus = Runtime.getRuntime().availableProcessors();
        if (nanoCpus < 0 || nanoCpus > cpus * 1_000_000_000L) {
            throw ApiException.badRequest("Range of CPUs is from 0.01 to " + cpus + ".00, as there are only " + cpus
                    + " CPUs available");
        }
        if (!nullToEmpty(host.cpusetCpus()).isEmpty() || !nullToEmpty(host.cpusetMems()).isEmpty()) {
            CgroupFeature.CPUSET.require("HostConfig.CpusetCpus/CpusetMems");
            CpusetList.requireAvailable(host.cpusetCpus(), CgroupFeature.cpus(), "CPUs", "cpus");
            CpusetList.requireAvailable(host.cpusetMems(), CgroupFeature.mems(), "memory nodes", "mems");
        }
        BlockIo.validate(host);
    }

    /** MemoryReservation, MemorySwappiness and OomKillDisable, with dockerd's words. */
    private static void validateMemoryExtras(HostConfig host, long memory) {
        Long swappiness = swappiness(host);
        if (swappiness != null) {
            if (swappiness < 0 || swappiness > 100) {
                throw DomainException.invalidParameter("Invalid value: " + swappiness
                        + ", valid memory swappiness range is 0-100");
            }
            CgroupFeature.MEMORY_SWAPPINESS.require("HostConfig.MemorySwappiness");
        }
        long reservation = value(host.memoryReservation());
        if (reservation > 0) {
            CgroupFeature.MEMORY_RESERVATION.require("HostConfig.MemoryReservation");
            if (reservation < MIN_MEMORY) {
                throw DomainException.invalidParameter("Minimum memory reservation allowed is 6MB");
            }
            if (memory > 0 && memory < reservation) {
                throw DomainException.invalidParameter(
                        "Minimum memory limit can not be less than memory reservation limit, see usage");
            }
        }
        if (Boolean.TRUE.equals(host.oomKillDisable())) {
            CgroupFeature.OOM_KILL_DISABLE.require("HostConfig.OomKillDisable");
        }
    }

    /** MemorySwappiness as set: null and dockerd's "unset" -1 mean the kernel's default. */
    public static Long swappiness(HostConfig host) {
        Long swappiness = host.memorySwappiness();
        return swappiness == null || swappiness == -1 ? null : swappiness;
    }

    /** The OCI LinuxResources object (without devices); empty when no limit is set. */
    public static Map<String, Object> of(HostConfig host) {
        Map<String, Object> resources = new LinkedHashMap<>();
        long memory = value(host.memory());
        long swap = value(host.memorySwap());
        Map<String, Object> mem = new LinkedHashMap<>();
        if (memory > 0) {
            mem.put("limit", memory);
            // Docker's default: as much swap as memory, so memory+swap is twice the limit; -1 is unlimited swap.
            mem.put("swap", swap == 0 ? 2 * memory : swap);
        }
        if (value(host.memoryReservation()) > 0) {
            mem.put("reservation", host.memoryReservation());
        }
        if (swappiness(host) != null) {
            mem.put("swappiness", swappiness(host));
        }
        // Only when asked: cgroup v2 cannot disable the OOM killer, and false is the kernel's default anyway.
        if (Boolean.TRUE.equals(host.oomKillDisable())) {
            mem.put("disableOOMKiller", true);
        }
        if (!mem.isEmpty()) {
            resources.put("memory", mem);
        }
        Map<String, Object> cpu = new LinkedHashMap<>();
        if (value(host.cpuShares()) > 0) {
            cpu.put("shares", host.cpuShares());
        }
        long nanoCpus = value(host.nanoCpus());
        if (nanoCpus > 0) {
            cpu.put("period", CPU_PERIOD);
            cpu.put("quota", nanoCpus * CPU_PERIOD / 1_000_000_000L);
        } else {
            if (value(host.cpuPeriod()) > 0) {
                cpu.put("period", host.cpuPeriod());
            }
            if (value(host.cpuQuota()) != 0) {
                cpu.put("quota", host.cpuQuota());
            }
        }
        if (!nullToEmpty(host.cpusetCpus()).isEmpty()) {
            cpu.put("cpus", host.cpusetCpus());
        }
        if (!nullToEmpty(host.cpusetMems()).isEmpty()) {
            cpu.put("mems", host.cpusetMems());
        }
        if (!cpu.isEmpty()) {
            resources.put("cpu", cpu);
        }
        long pids = value(host.pidsLimit());
        if (pids != 0) {
            resources.put("pids", Map.of("limit", pids < 0 ? -1 : pids));
        }
        Map<String, Object> blockIo = BlockIo.of(host);
        if (!blockIo.isEmpty()) {
            resources.put("blockIO", blockIo);
        }
        return resources;
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }

    private static long value(Long v) {
        return v == null ? 0 : v;
    }
}
