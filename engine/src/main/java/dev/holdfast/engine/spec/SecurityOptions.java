package dev.holdfast.engine.spec;

import dev.holdfast.engine.errdefs.DomainException;
import java.util.List;
import java.util.Map;

/**
 * {@code HostConfig.SecurityOpt}, read the way dockerd reads {@code --security-opt}: no-new-privileges, the seccomp
 * profile, and the SELinux and AppArmor options. This host has neither SELinux nor AppArmor, so of those only the
 * values that turn them off are accepted; any other would be a confinement the container silently lacks.
 *
 * @param seccomp the profile to resolve for the container, or null for none ({@code seccomp=unconfined})
 */
public record SecurityOptions(boolean noNewPrivileges, SeccompProfile seccomp) {
    /** Docker's name for its default profile, which a client may ask for explicitly. */
    private static final String BUILTIN = "builtin";
    private static final String UNCONFINED = "unconfined";

    /** The options of a container; 400 for an option dockerd would refuse or this host cannot honour. */
    public static SecurityOptions parse(List<String> options) {
        boolean noNewPrivileges = false;
        SeccompProfile seccomp = SeccompProfile.builtin();
        for (String option : options == null ? List.<String>of() : options) {
            if (option.equals("no-new-privileges")) {
                noNewPrivileges = true;
                continue;
            }
            if (option.equals("disable")) { // dockerd's shorthand for label=disable
                continue;
            }
            // "=" is the separator; ":" is the deprecated one dockerd still reads.
            int at = option.indexOf('=') >= 0 ? option.indexOf('=') : option.indexOf(':');
            if (at < 0) {
                throw DomainException.invalidParameter("invalid --security-opt 1: " + quoted(option));
            }
            String key = option.substring(0, at);
            String value = option.substring(at + 1);
            switch (key) {
                case "no-new-privileges" -> noNewPrivileges = goBool(value, option);
                case "seccomp" -> seccomp = switch (value) {
                    case UNCONFINED -> null;
                    case BUILTIN, "" -> SeccompProfile.builtin();
                    default -> SeccompProfile.parse(value);
                };
                case "label" -> {
                    if (!value.equals("disable")) {
                        throw DomainException.invalidParameter("invalid --security-opt " + quoted(option)
                                + ": SELinux is not enabled on this host, only label=disable applies");
                    }
                }
                case "apparmor" -> {
                    if (!value.equals(UNCONFINED)) {
                        throw DomainException.invalidParameter("invalid --security-opt " + quoted(option)
                                + ": AppArmor is not enabled on this host, only apparmor=unconfined applies");
                    }
                }
                default -> throw DomainException.invalidParameter("invalid --security-opt 2: " + quoted(option));
            }
        }
        return new SecurityOptions(noNewPrivileges, seccomp);
    }

    /**
     * Sets no-new-privileges and the seccomp filter in a container's spec. The filter is resolved for the
     * capabilities the spec already grants, so a capability added with --cap-add also opens the system calls it
     * guards; a privileged container runs without a filter, as with dockerd.
     */
    @SuppressWarnings("unchecked")
    public void applyTo(Map<String, Object> spec, boolean privileged) {
        Map<String, Object> process = (Map<String, Object>) spec.get("process");
        process.put("noNewPrivileges", noNewPrivileges);
        if (privileged || seccomp == null) {
            return;
        }
        Map<String, Object> capabilities = (Map<String, Object>) process.get("capabilities");
        List<String> bounding = (List<String>) capabilities.get("bounding");
        Map<String, Object> filter = seccomp.resolve(bounding, SeccompProfile.Platform.current());
        if (filter != null) {
            ((Map<String, Object>) spec.get("linux")).put("seccomp", filter);
        }
    }

    /** Go's strconv.ParseBool, which dockerd uses for no-new-privileges=VALUE. */
    private static boolean goBool(String value, String option) {
        return switch (value) {
            case "1", "t", "T", "true", "TRUE", "True" -> true;
            case "0", "f", "F", "false", "FALSE", "False" -> false;
            default -> throw DomainException.invalidParameter("invalid --security-opt 2: " + quoted(option));
        };
    }

    /** Go's %q for the plain strings options are. */
    private static String quoted(String value) {
        return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
