package dev.holdfast.bench.harness;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The daemon processes of each target whose CPU time the drivers account, from
 * {@code --procs NAME=daemon:PID,helper:PID} (daemon = engine or dockerd, helper = supervisor or containerd).
 */
public final class DaemonProcesses {
    private DaemonProcesses() {}

    /** Role to pid, by daemon name. */
    public static Map<String, Map<String, Long>> of(Args args) {
        Map<String, Map<String, Long>> out = new LinkedHashMap<>();
        for (String spec : args.all("procs")) {
            int eq = spec.indexOf('=');
            if (eq <= 0) {
                throw new UsageException("--procs wants NAME=ROLE:PID,..., got " + spec);
            }
            Map<String, Long> roles = new LinkedHashMap<>();
            for (String part : spec.substring(eq + 1).split(",")) {
                int colon = part.indexOf(':');
                if (colon > 0) {
                    try {
                        roles.put(part.substring(0, colon), Long.parseLong(part.substring(colon + 1)));
                    } catch (NumberFormatException e) {
                        throw new UsageException("--procs: not a pid in " + part);
                    }
                }
            }
            out.put(spec.substring(0, eq), roles);
        }
        return out;
    }

    /** CPU ms of each role of a target, now. */
    public static Map<String, Double> cpuSnapshot(Map<String, Long> roles) {
        Map<String, Double> m = new LinkedHashMap<>();
        if (roles != null) {
            roles.forEach((role, pid) -> m.put(role, Procfs.cpuMillis(pid)));
        }
        return m;
    }
}
