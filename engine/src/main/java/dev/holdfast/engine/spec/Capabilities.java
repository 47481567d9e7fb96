package dev.holdfast.engine.spec;

import dev.holdfast.engine.api.ApiException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** The capability set of a container: Docker's defaults adjusted by {@code CapAdd}/{@code CapDrop}. */
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

    private Capabilities() {}

    /**
     * Every capability the host lets a process have (a privileged exec's set): those of the engine's bounding set.
     * A host may withhold some (a sandbox without CAP_SYS_RESOURCE), and runc fails to apply a capability that is
     * not in the bounding set.
     */
    public static List<String> grantable() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"), StandardCharsets.US_ASCII)) {
                if (line.startsWith("CapBnd:")) {
                    return inBoundingSet(Long.parseUnsignedLong(line.substring(7).strip(), 16));
                }
            }
        } catch (IOException | NumberFormatException e) {
            // no /proc to ask: every capability, and runc's error if the host withholds one
        }
        return ALL;
    }

    /** The capabilities whose bits are set in {@code mask} (ALL is in the kernel's numbering order). */
    static List<String> inBoundingSet(long mask) {
        List<String> caps = new ArrayList<>();
        for (int bit = 0; bit < ALL.size(); bit++) {
            if ((mask & (1L << bit)) != 0) {
                caps.add(ALL.get(bit));
            }
        }
        return caps;
    }

    /** Docker's order of operations: drop (ALL drops every default), then add (ALL adds every capability). */
    public static List<String> effective(List<String> add, List<String> drop) {
        List<String> adds = normalize(add);
        List<String> drops = normalize(drop);
        Set<String> caps = new LinkedHashSet<>(drops.contains("ALL") ? List.of() : DOCKER_DEFAULTS);
        caps.removeAll(drops);
        caps.addAll(adds.contains("ALL") ? ALL : adds);
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
