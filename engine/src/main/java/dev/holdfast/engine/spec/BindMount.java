package dev.holdfast.engine.spec;

import dev.holdfast.engine.api.ApiException;
import java.util.List;
import java.util.Set;

/**
 * One {@code HostConfig.Binds} entry: {@code /host/path:/container/path[:options]} binds a host path,
 * {@code name:/container/path[:options]} mounts the named volume; options {@code ro|rw}, a propagation, {@code nocopy}.
 */
public record BindMount(String source, String destination, boolean readOnly, String propagation, boolean noCopy) {
    private static final Set<String> PROPAGATIONS = Set.of("private", "rprivate", "shared", "rshared", "slave", "rslave");
    // SELinux relabeling: meaningless without SELinux, accepted like Docker; copy is the default anyway.
    private static final Set<String> IGNORED = Set.of("z", "Z", "copy");
    /** Docker's volume names. */
    public static final String VOLUME_NAME = "[a-zA-Z0-9][a-zA-Z0-9_.-]+";

    /** Parses a bind, or throws Docker's 400 {@code invalid volume specification: 'x'} with the reason. */
    public static BindMount parse(String spec) {
        String[] parts = spec.split(":");
        if (parts.length < 2 || parts.length > 3) {
            throw invalid(spec, "expected /host/path:/container/path[:options]");
        }
        String source = parts[0];
        String destination = parts[1];
        if (!source.startsWith("/") && !source.matches(VOLUME_NAME)) {
            throw invalid(spec, "\"" + source + "\" includes invalid characters for a local volume name, only "
                    + VOLUME_NAME + " are allowed; if you intended to pass a host directory, use an absolute path");
        }
        if (!destination.startsWith("/") || destination.equals("/")) {
            throw invalid(spec, "the container path must be absolute and not '/'");
        }
        boolean readOnly = false;
        boolean noCopy = false;
        String propagation = "rprivate";
        if (parts.length == 3) {
            for (String option : parts[2].split(",")) {
                if (option.equals("ro") || option.equals("rw")) {
                    readOnly = option.equals("ro");
                } else if (option.equals("nocopy")) {
                    noCopy = true;
                } else if (PROPAGATIONS.contains(option)) {
                    propagation = option;
                } else if (!IGNORED.contains(option)) {
                    throw invalid(spec, "unknown option " + option);
                }
            }
        }
        return new BindMount(source, destination, readOnly, propagation, noCopy);
    }

    /** A named volume rather than a host path. */
    public boolean isVolume() {
        return !source.startsWith("/");
    }

    public static List<BindMount> parseAll(List<String> binds) {
        return binds == null ? List.of() : binds.stream().map(BindMount::parse).toList();
    }

    private static ApiException invalid(String spec, String why) {
        return ApiException.badRequest("invalid volume specification: '" + spec + "': " + why);
    }
}
