package dev.holdfast.engine.volume;

import dev.holdfast.engine.errdefs.DomainException;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * {@code HostConfig.Mounts} ({@code --mount}) and {@code HostConfig.Tmpfs} ({@code --tmpfs}) checked with Docker's
 * rules; what holdfast does not implement is refused by name.
 */
final class MountRequests {
    private static final Set<String> KEYS = Set.of("Type", "Source", "Target", "ReadOnly", "Consistency",
            "BindOptions", "VolumeOptions", "TmpfsOptions");
    private static final Set<String> PROPAGATIONS = Set.of("private", "rprivate", "shared", "rshared", "slave",
            "rslave");

    private MountRequests() {}

    /** One {@code --mount}: its type, source, target, read-only flag and the options of its type. */
    record Mount(String type, String source, String target, boolean readOnly, String propagation, boolean noCopy,
            Map<String, String> labels, Map<String, String> driverOptions, String tmpfsOptions) {}

    static Mount parse(Map<String, Object> m) {
        for (String key : m.keySet()) {
            if (!KEYS.contains(key)) {
                throw DomainException.notImplemented("the mount option " + key);
            }
        }
        String type = text(m.get("Type"));
        String target = text(m.get("Target"));
        String source = text(m.get("Source"));
        boolean readOnly = Boolean.TRUE.equals(m.get("ReadOnly"));
        if (!target.startsWith("/") || target.equals("/")) {
            throw DomainException.invalidParameter("invalid mount config for type \"" + type + "\": invalid mount "
                    + "path: '" + target + "' mount path must be absolute");
        }
        Map<?, ?> bind = options(m, "BindOptions", type, "bind", Set.of("Propagation"));
        Map<?, ?> volume = options(m, "VolumeOptions", type, "volume", Set.of("NoCopy", "Labels", "DriverConfig"));
        Map<?, ?> tmpfs = options(m, "TmpfsOptions", type, "tmpfs", Set.of("SizeBytes", "Mode"));
        return switch (type) {
            case "bind" -> {
                if (source.isEmpty() || !source.startsWith("/")) {
                    throw DomainException.invalidParameter("invalid mount config for type \"bind\": invalid mount "
                            + "path: '" + source + "' mount path must be absolute");
                }
                String propagation = text(bind.get("Propagation"));
                if (!propagation.isEmpty() && !PROPAGATIONS.contains(propagation)) {
                    throw DomainException.invalidParameter("invalid mount config: unknown propagation mode "
                            + propagation);
                }
                yield new Mount(type, source, target, readOnly, propagation.isEmpty() ? "rprivate" : propagation,
                        false, Map.of(), Map.of(), "");
            }
            case "volume" -> {
                Map<String, String> driverOptions = new LinkedHashMap<>();
                if (volume.get("DriverConfig") instanceof Map<?, ?> driver) {
                    String name = text(driver.get("Name"));
                    if (!name.isEmpty() && !name.equals(Volume.LOCAL)) {
                        throw DomainException.notImplemented("the volume driver \"" + name + "\"");
                    }
                    if (driver.get("Options") instanceof Map<?, ?> o) {
                        o.forEach((k, v) -> driverOptions.put(String.valueOf(k), String.valueOf(v)));
                    }
                }
                Map<String, String> labels = new LinkedHashMap<>();
                if (volume.get("Labels") instanceof Map<?, ?> l) {
                    l.forEach((k, v) -> labels.put(String.valueOf(k), String.valueOf(v)));
                }
                yield new Mount(type, source, target, readOnly, "", Boolean.TRUE.equals(volume.get("NoCopy")),
                        labels, driverOptions, "");
            }
            case "tmpfs" -> {
                if (!source.isEmpty()) {
                    throw DomainException.invalidParameter("invalid mount config for type \"tmpfs\": source must "
                            + "not be specified");
                }
                yield new Mount(type, "", target, readOnly, "", false, Map.of(), Map.of(), tmpfsOptions(tmpfs));
            }
            case "" -> throw DomainException.invalidParameter("invalid mount config: type is required");
            default -> throw DomainException.notImplemented("the mount type \"" + type + "\"");
        };
    }

    /** Docker's {@code TmpfsOptions}: {@code SizeBytes} as {@code size=}, {@code Mode} (a number) as octal. */
    private static String tmpfsOptions(Map<?, ?> tmpfs) {
        StringBuilder options = new StringBuilder();
        Long size = integer(tmpfs, "SizeBytes");
        if (size != null && size > 0) {
            options.append("size=").append(size);
        }
        Long mode = integer(tmpfs, "Mode");
        if (mode != null) {
            options.append(options.isEmpty() ? "" : ",").append("mode=").append(Long.toOctalString(mode));
        }
        return options.toString();
    }

    /** An integer of TmpfsOptions, which arrive untyped: 1.5 or "1" is refused as Go's decoder refuses it. */
    private static Long integer(Map<?, ?> tmpfs, String key) {
        Object value = tmpfs.get(key);
        return switch (value) {
            case null -> null;
            case Integer i -> i.longValue();
            case Long l -> l;
            default -> throw DomainException.invalidParameter("invalid mount config: TmpfsOptions." + key
                    + " must be an integer, not " + value);
        };
    }

    /** {@code --tmpfs /path[:opts]}: the options as given, limited to those a tmpfs takes. */
    static String tmpfsFlag(String path, String options) {
        if (!path.startsWith("/") || path.equals("/")) {
            throw DomainException.invalidParameter("invalid tmpfs path " + path + ": it must be absolute and not /");
        }
        for (String option : options == null || options.isEmpty() ? List.<String>of() : List.of(options.split(","))) {
            String key = option.contains("=") ? option.substring(0, option.indexOf('=')) : option;
            if (!Set.of("size", "mode", "uid", "gid", "nr_inodes", "nr_blocks", "rw", "ro", "exec", "noexec", "suid",
                    "nosuid", "dev", "nodev").contains(key)) {
                throw DomainException.invalidParameter("invalid tmpfs option " + option + " for " + path);
            }
        }
        return options == null ? "" : options;
    }

    private static Map<?, ?> options(Map<String, Object> m, String key, String type, String forType,
            Set<String> supported) {
        if (!(m.get(key) instanceof Map<?, ?> options) || options.isEmpty()) {
            return Map.of();
        }
        if (!type.equals(forType)) {
            throw DomainException.invalidParameter("invalid mount config: " + key + " are not allowed with type "
                    + type);
        }
        for (Map.Entry<?, ?> option : options.entrySet()) {
            boolean set = !(option.getValue() == null || Boolean.FALSE.equals(option.getValue())
                    || "".equals(option.getValue()));
            if (set && !supported.contains(String.valueOf(option.getKey()))) {
                throw DomainException.notImplemented("the mount option " + key + "." + option.getKey());
            }
        }
        return options;
    }

    private static String text(Object value) {
        return value == null ? "" : value.toString();
    }
}
