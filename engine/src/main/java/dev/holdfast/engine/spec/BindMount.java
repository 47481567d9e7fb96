package dev.holdfast.engine.spec;

import dev.holdfast.engine.api.ApiException;
import java.util.List;
import java.util.Set;

/** One {@code HostConfig.Binds} entry, {@code /host/path:/container/path[:ro|rw][,propagation]}. */
public record BindMount(String source, String destination, boolean readOnly, String propagation) {
    private static final Set<String> PROPAGATIONS = Set.of("private", "rprivate", "shared", "rshared", "slave", "rslave");
    // SELinux relabeling and volume copy flags: meaningless without SELinux or named volumes, accepted like Docker.
    private static final Set<String> IGNORED = Set.of("z", "Z", "nocopy", "copy");

    /** Parses a bind, or throws Docker's 400 {@code invalid volume specification: 'x'} with the reason. */
    public static BindMount parse(String spec) {
        String[] parts = spec.split(":");
        if (parts.length < 2 || parts.length > 3) {
            throw invalid(spec, "expected /host/path:/container/path[:options]");
        }
        String source = parts[0];
        String destination = parts[1];
        if (!source.startsWith("/")) {
            throw invalid(spec, "named volumes are not supported yet; use an absolute host path");
        }
        if (!destination.startsWith("/") || destination.equals("/")) {
            throw invalid(spec, "the container path must be absolute and not '/'");
        }
        boolean readOnly = false;
        String propagation = "rprivate";
        if (parts.length == 3) {
            for (String option : parts[2].split(",")) {
                if (option.equals("ro") || option.equals("rw")) {
                    readOnly = option.equals("ro");
                } else if (PROPAGATIONS.contains(option)) {
                    propagation = option;
                } else if (!IGNORED.contains(option)) {
                    throw invalid(spec, "unknown option " + option);
                }
            }
        }
        return new BindMount(source, destination, readOnly, propagation);
    }

    public static List<BindMount> parseAll(List<String> binds) {
        return binds == null ? List.of() : binds.stream().map(BindMount::parse).toList();
    }

    private static ApiException invalid(String spec, String why) {
        return ApiException.badRequest("invalid volume specification: '" + spec + "': " + why);
    }
}
