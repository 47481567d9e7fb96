package dev.holdfast.engine.spec;

import dev.holdfast.engine.container.HostConfig;
import dev.holdfast.engine.errdefs.DomainException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** HostConfig's per-process limits: {@code Ulimits} as the OCI {@code process.rlimits}, and {@code OomScoreAdj}. */
public final class ProcessLimits {
    /** The names {@code --ulimit} knows (go-units' list: "as" is left out there too). */
    private static final Set<String> NAMES = Set.of("core", "cpu", "data", "fsize", "locks", "memlock", "msgqueue",
            "nice", "nofile", "nproc", "rss", "rtprio", "rttime", "sigpending", "stack");

    private ProcessLimits() {}

    /** 400 with dockerd's and the docker CLI's words for a bad ulimit or OOM score. */
    public static void validate(HostConfig host) {
        for (HostConfig.Ulimit ulimit : ulimits(host)) {
            if (ulimit.name() == null || !NAMES.contains(ulimit.name())) {
                throw DomainException.invalidParameter("invalid ulimit type: " + ulimit.name());
            }
            // -1 is unlimited: compared unsigned, as the kernel does.
            if (Long.compareUnsigned(ulimit.soft(), ulimit.hard()) > 0) {
                throw DomainException.invalidParameter("ulimit soft limit must be less than or equal to hard limit: "
                        + ulimit.soft() + " > " + ulimit.hard());
            }
        }
        if (host.oomScoreAdj() < -1000 || host.oomScoreAdj() > 1000) {
            throw DomainException.invalidParameter("Invalid value " + host.oomScoreAdj()
                    + ", range for oom score adj is [-1000, 1000]");
        }
    }

    /** The container's rlimits: its Ulimits, and the daemon's RLIMIT_NOFILE unless it sets nofile itself. */
    static List<Map<String, Object>> rlimits(HostConfig host, long defaultNofile) {
        List<Map<String, Object>> rlimits = new ArrayList<>();
        boolean nofile = false;
        for (HostConfig.Ulimit ulimit : ulimits(host)) {
            nofile |= ulimit.name().equals("nofile");
            rlimits.add(rlimit("RLIMIT_" + ulimit.name().toUpperCase(Locale.ROOT), ulimit.soft(), ulimit.hard()));
        }
        if (!nofile) {
            rlimits.add(0, rlimit("RLIMIT_NOFILE", defaultNofile, defaultNofile));
        }
        return rlimits;
    }

    private static Map<String, Object> rlimit(String type, long soft, long hard) {
        Map<String, Object> rlimit = new LinkedHashMap<>();
        rlimit.put("type", type);
        rlimit.put("hard", unsigned(hard));
        rlimit.put("soft", unsigned(soft));
        return rlimit;
    }

    /** The spec's limits are uint64: -1 (unlimited) is RLIM_INFINITY. */
    private static Object unsigned(long value) {
        return value >= 0 ? (Object) value : new BigInteger(Long.toUnsignedString(value));
    }

    private static List<HostConfig.Ulimit> ulimits(HostConfig host) {
        return host.ulimits() == null ? List.of() : host.ulimits();
    }
}
