package dev.holdfast.engine.stats;

import dev.holdfast.engine.spec.HostLimits;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** One sample of runc's stats (the data object of {@code runc events --stats}) in Docker's StatsJSON shape. */
public final class StatsView {
    private static final long NANOS_PER_TICK = 1_000_000_000L / 100;

    private StatsView() {}

    /** A point in time: runc's data, when it was read, the host's cumulative CPU time then, interface counters. */
    public record Sample(JsonNode runc, String read, long systemCpuNanos, Map<String, Object> networks) {}

    public static Map<String, Object> of(String id, String name, Sample now, Sample before) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("read", now.read());
        view.put("preread", before == null ? "0001-01-01T00:00:00Z" : before.read());
        view.put("pids_stats", Map.of("current", now.runc().path("pids").path("current").asLong()));
        view.put("blkio_stats", blkio(now.runc().path("blkio")));
        view.put("num_procs", 0);
        view.put("storage_stats", Map.of());
        view.put("cpu_stats", cpu(now));
        view.put("precpu_stats", before == null ? Map.of("cpu_usage", Map.of("total_usage", 0, "usage_in_kernelmode", 0,
                "usage_in_usermode", 0), "throttling_data", Map.of("periods", 0, "throttled_periods", 0, "throttled_time", 0))
                : cpu(before));
        view.put("memory_stats", memory(now.runc().path("memory")));
        if (!now.networks().isEmpty()) {
            view.put("networks", now.networks());
        }
        view.put("name", name);
        view.put("id", id);
        return view;
    }

    private static Map<String, Object> cpu(Sample s) {
        JsonNode usage = s.runc().path("cpu").path("usage");
        Map<String, Object> cpuUsage = new LinkedHashMap<>();
        cpuUsage.put("total_usage", usage.path("total").asLong());
        List<Long> percpu = new ArrayList<>();
        usage.path("percpu").forEach(n -> percpu.add(n.asLong()));
        cpuUsage.put("percpu_usage", percpu);
        cpuUsage.put("usage_in_kernelmode", usage.path("kernel").asLong());
        cpuUsage.put("usage_in_usermode", usage.path("user").asLong());
        JsonNode throttling = s.runc().path("cpu").path("throttling");
        Map<String, Object> cpu = new LinkedHashMap<>();
        cpu.put("cpu_usage", cpuUsage);
        cpu.put("system_cpu_usage", s.systemCpuNanos());
        cpu.put("online_cpus", onlineCpus(percpu));
        cpu.put("throttling_data", Map.of("periods", throttling.path("periods").asLong(),
                "throttled_periods", throttling.path("throttledPeriods").asLong(),
                "throttled_time", throttling.path("throttledTime").asLong()));
        return cpu;
    }

    private static int onlineCpus(List<Long> percpu) {
        return percpu.isEmpty() ? Runtime.getRuntime().availableProcessors() : percpu.size();
    }

    private static Map<String, Object> memory(JsonNode memory) {
        Map<String, Object> view = new LinkedHashMap<>();
        JsonNode usage = memory.path("usage");
        view.put("usage", usage.path("usage").asLong());
        view.put("max_usage", usage.path("max").asLong());
        Map<String, Long> stats = new LinkedHashMap<>();
        memory.path("raw").properties().forEach(e -> stats.put(e.getKey(), e.getValue().asLong()));
        view.put("stats", stats);
        view.put("failcnt", usage.path("failcnt").asLong());
        long limit = usage.path("limit").asLong();
        long host = HostLimits.memoryTotal();
        view.put("limit", limit <= 0 || (host > 0 && limit > host) ? host : limit);
        return view;
    }

    private static Map<String, Object> blkio(JsonNode blkio) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("io_service_bytes_recursive", entries(blkio.path("ioServiceBytesRecursive")));
        view.put("io_serviced_recursive", entries(blkio.path("ioServicedRecursive")));
        view.put("io_queue_recursive", null);
        view.put("io_service_time_recursive", null);
        view.put("io_wait_time_recursive", null);
        view.put("io_merged_recursive", null);
        view.put("io_time_recursive", null);
        view.put("sectors_recursive", null);
        return view;
    }

    private static List<Map<String, Object>> entries(JsonNode list) {
        if (!list.isArray() || list.isEmpty()) {
            return null;
        }
        List<Map<String, Object>> entries = new ArrayList<>();
        for (JsonNode e : list) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("major", e.path("major").asLong());
            entry.put("minor", e.path("minor").asLong());
            entry.put("op", e.path("op").asText());
            entry.put("value", e.path("value").asLong());
            entries.add(entry);
        }
        return entries;
    }

    /** The host's CPU time since boot in nanoseconds: the first line of /proc/stat, as dockerd computes it. */
    public static long systemCpuNanos() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/stat"))) {
                if (line.startsWith("cpu ")) {
                    String[] f = line.trim().split("\\s+");
                    long ticks = 0;
                    for (int i = 1; i < Math.min(f.length, 8); i++) {
                        ticks += Long.parseLong(f[i]);
                    }
                    return ticks * NANOS_PER_TICK;
                }
            }
        } catch (IOException | RuntimeException e) {
            // Zero makes the CLI show 0 % instead of nonsense.
        }
        return 0;
    }

}
