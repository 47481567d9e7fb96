package dev.holdfast.engine.spec;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code KEY=value} lists, merged the way Docker layers image, daemon and user environments. */
public final class Environment {
    public static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    private Environment() {}

    /** What Docker sets in every process of a container before its own variables: PATH, HOSTNAME, TERM with a tty. */
    public static List<String> containerDefaults(String hostname, boolean tty) {
        List<String> base = new ArrayList<>(List.of("PATH=" + DEFAULT_PATH, "HOSTNAME=" + hostname));
        if (tty) {
            base.add("TERM=xterm");
        }
        return base;
    }

    /**
     * {@code overrides} replace entries of {@code base} with the same key, in place; new keys are appended. An
     * override without {@code =} removes the key, as Docker does.
     */
    public static List<String> merge(List<String> base, List<String> overrides) {
        Map<String, String> byKey = new LinkedHashMap<>();
        for (String entry : base == null ? List.<String>of() : base) {
            byKey.put(key(entry), entry);
        }
        for (String entry : overrides == null ? List.<String>of() : overrides) {
            if (entry.contains("=")) {
                byKey.put(key(entry), entry);
            } else {
                byKey.remove(entry);
            }
        }
        return new ArrayList<>(byKey.values());
    }

    /**
     * A container's {@code Config.Env} at create time, as dockerd stores it: the request's entries as given (a bare
     * {@code KEY} included, which unsets KEY when the process starts), then the image's entries whose key the request
     * does not name.
     */
    public static List<String> withImageDefaults(List<String> asked, List<String> image) {
        if (asked == null || asked.isEmpty()) {
            return image == null ? new ArrayList<>() : new ArrayList<>(image);
        }
        List<String> env = new ArrayList<>(asked);
        for (String entry : image == null ? List.<String>of() : image) {
            if (!defines(asked, key(entry))) {
                env.add(entry);
            }
        }
        return env;
    }

    public static boolean defines(List<String> env, String key) {
        return env != null && env.stream().anyMatch(e -> key(e).equals(key));
    }

    private static String key(String entry) {
        int eq = entry.indexOf('=');
        return eq < 0 ? entry : entry.substring(0, eq);
    }
}
