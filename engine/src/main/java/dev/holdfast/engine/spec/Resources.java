package dev.holdfast.engine.spec;

import dev.holdfast.engine.api.ApiException;
import dev.holdfast.engine.container.HostConfig;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * HostConfig's resource limits (Memory, MemorySwap, NanoCpus, CpuShares, CpuQuota/CpuPeriod, PidsLimit) as the OCI
 * spec's {@code linux.resources}; the same object is what the supervisor's Update takes.
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
        long nanoCpus = value(host.nanoCpus());
        if (nanoCpus > 0 && (value(host.cpuQuota()) > 0 || value(host.cpuPeriod()) > 0)) {
            throw ApiException.badRequest("Conflicting options: Nano CPUs and CPU Period cannot both be set");
        }
        int cpus = Runtime.getRuntime().availableProcessors();
        if (nanoCpus < 0 || nanoCpus > cpus * 1_000_000_000L) {
            throw ApiException.badRequest("Range of CPUs is from 0.01 to " + cpus + ".00, as there are only " + cpus
                    + " CPUs available");
        }
    }

    /** The OCI LinuxResources object (without devices); empty when no limit is set. */
    public static Map<String, Object> of(HostConfig host) {
        Map<String, Object> resources = new LinkedHashMap<>();
        long memory = value(host.memory());
        long swap = value(host.memorySwap());
        if (memory > 0) {
            Map<String, Object> mem = new LinkedHashMap<>();
            mem.put("limit", memory);
            // Docker's default: as much swap as memory, so memory+swap is twice the limit; -1 is unlimited swap.
            mem.put("swap", swap == 0 ? 2 * memory : swap);
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
        if (!cpu.isEmpty()) {
            resources.put("cpu", cpu);
        }
        long pids = value(host.pidsLimit());
        if (pids != 0) {
            resources.put("pids", Map.of("limit", pids < 0 ? -1 : pids));
        }
        return resources;
    }

    private static long value(Long v) {
        return v == null ? 0 : v;
    }
}
