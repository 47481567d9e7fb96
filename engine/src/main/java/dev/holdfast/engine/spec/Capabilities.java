package dev.holdfast.engine.spec;

import dev.holdfast.engine.api.ApiException;
import dev.holdfast.engine.container.HostConfig;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** The capability set of a container: Docker's defaults adjusted by {@code CapAdd}/{@code CapDrop}, or all of them. */
public final class Capabilities {
    /** What Docker grants a non-privileged container. */
    public static final List<String> DOCKER_DEFAULTS = List.of(
            "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID",
            "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL",
            "CAP_AUDIT_WRITE");

    private static final List<String> ALL = List.of(
            "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL",
            "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE",
            "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE",
            "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT",
            "CAP_SYS_NICE", "CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE",
            "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN",
            "CAP_SYSLOG", "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF",
            "CAP_CHECKPOINT_RESTORE");

    /** Of ALL, what the host can grant: in a restricted host, runc would refuse to start with the rest. */
    private static final List<String> GRANTABLE = grantable(HostLimits.boundingCapabilities());

    private Capabilities() {}

    /** A privileged container has every capability, whatever CapAdd and CapDrop say (as in Docker). */
    public static List<String> of(HostConfig host) {
        return host.privileged() ? GRANTABLE : effective(host.capAdd(), host.capDrop());
    }

    /** Every capability: a privileged container's, or a privileged exec's. */
    public static List<String> all() {
        return GRANTABLE;
    }

    /** ALL lists the capabilities in the order of their numbers. */
    static List<String> grantable(long bounding) {
        List<String> caps = new ArrayList<>();
        for (int number = 0; number < ALL.size(); number++) {
            if ((bounding & (1L << number)) != 0) {
                caps.add(ALL.get(number));
            }
        }
        return List.copyOf(caps);
    }

    /** Docker's order of operations: drop (ALL drops every default), then add (ALL adds every capability). */
    public static List<String> effective(List<String> add, List<String> drop) {
        List<String> adds = normalize(add);
        List<String> drops = normalize(drop);
        Set<String> caps = new LinkedHashSet<>(drops.contains("ALL") ? List.of() : DOCKER_DEFAULTS);
        caps.removeAll(drops);
        caps.addAll(adds.contains("ALL") ? GRANTABLE : adds);
        return List.copyOf(caps);
    }

    /** {@code net_admin}, {@code NET_ADMIN}, {@code CAP_NET_ADMIN} → {@code CAP_NET_ADMIN}; 400 for unknown ones. */
    public static List<String> normalize(List<String> names) {
        if (names == null) {
            return List.of();
        }
        return names.stream().map(name -> {
            String upper = name.trim().toUpperCase(Locale.ROOT);
            if (upper.equals("ALL")) {
                return upper;
            }
            String cap = upper.startsWith("CAP_") ? upper : "CAP_" + upper;
            if (!ALL.contains(cap)) {
                throw ApiException.badRequest("unknown capability: \"" + cap + "\"");
            }
            return cap;
        }).toList();
    }
}
