package dev.holdfast.engine.spec;

import dev.holdfast.engine.api.Json;
import dev.holdfast.engine.container.HostConfig;
import dev.holdfast.engine.errdefs.DomainException;
import java.util.List;

/**
 * The /proc and /sys paths a container must not read (masked) or write (readonly): Docker's lists, which
 * {@code HostConfig.MaskedPaths} and {@code ReadonlyPaths} replace and {@code --privileged} lifts.
 */
public final class PathMasks {
    static final List<String> DEFAULT_MASKED = List.of(
            "/proc/asound", "/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
            "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware", "/sys/devices/virtual/powercap");
    static final List<String> DEFAULT_READONLY = List.of(
            "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger");

    private PathMasks() {}

    /**
     * The HostConfig a create request stores: unset lists become Docker's defaults, as dockerd shows them in
     * inspect, except for a privileged container, which has none. 400 for a path runc could not mask.
     */
    public static HostConfig withDefaults(HostConfig host) {
        checkAbsolute("MaskedPaths", host.maskedPaths());
        checkAbsolute("ReadonlyPaths", host.readonlyPaths());
        if (host.privileged()) {
            return host;
        }
        return host.with(h -> {
            if (host.maskedPaths() == null) {
                h.set("MaskedPaths", Json.MAPPER.valueToTree(DEFAULT_MASKED));
            }
            if (host.readonlyPaths() == null) {
                h.set("ReadonlyPaths", Json.MAPPER.valueToTree(DEFAULT_READONLY));
            }
        });
    }

    /** What the spec masks; a record from before these fields were kept has none and gets the defaults. */
    public static List<String> masked(HostConfig host) {
        return effective(host, host.maskedPaths(), DEFAULT_MASKED);
    }

    /** What the spec mounts read-only, by the same rules as {@link #masked}. */
    public static List<String> readonly(HostConfig host) {
        return effective(host, host.readonlyPaths(), DEFAULT_READONLY);
    }

    private static List<String> effective(HostConfig host, List<String> asked, List<String> defaults) {
        if (host.privileged()) {
            return List.of();
        }
        return asked == null ? defaults : asked;
    }

    private static void checkAbsolute(String field, List<String> paths) {
        for (String path : paths == null ? List.<String>of() : paths) {
            if (!path.startsWith("/")) {
                throw DomainException.invalidParameter("invalid HostConfig." + field + " entry \"" + path
                        + "\": the path must be absolute");
            }
        }
    }
}
