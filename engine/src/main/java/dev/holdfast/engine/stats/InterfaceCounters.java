package dev.holdfast.engine.stats;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code networks} part of Docker's stats: each interface of the container's network namespace but loopback,
 * from {@code /proc/PID/net/dev} of its init (which shows the namespace the process is in).
 */
public final class InterfaceCounters {
    private InterfaceCounters() {}

    /** Empty when the process is gone or has only loopback (Docker then leaves {@code networks} out). */
    public static Map<String, Object> of(int pid) {
        try {
            return parse(Files.readString(Path.of("/proc", String.valueOf(pid), "net", "dev")));
        } catch (IOException e) {
            return Map.of();
        }
    }

    static Map<String, Object> parse(String netDev) {
        Map<String, Object> interfaces = new LinkedHashMap<>();
        for (String line : netDev.lines().skip(2).toList()) {
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String name = line.substring(0, colon).trim();
            String[] f = line.substring(colon + 1).trim().split("\\s+");
            if (name.equals("lo") || f.length < 12) {
                continue;
            }
            Map<String, Object> counters = new LinkedHashMap<>();
            counters.put("rx_bytes", Long.parseLong(f[0]));
            counters.put("rx_packets", Long.parseLong(f[1]));
            counters.put("rx_errors", Long.parseLong(f[2]));
            counters.put("rx_dropped", Long.parseLong(f[3]));
            counters.put("tx_bytes", Long.parseLong(f[8]));
            counters.put("tx_packets", Long.parseLong(f[9]));
            counters.put("tx_errors", Long.parseLong(f[10]));
            counters.put("tx_dropped", Long.parseLong(f[11]));
            interfaces.put(name, counters);
        }
        return interfaces;
    }
}
