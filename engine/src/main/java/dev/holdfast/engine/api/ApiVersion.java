package dev.holdfast.engine.api;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The API versions this engine speaks, and the {@code /v1.NN} path prefix that selects one. */
public record ApiVersion(int major, int minor) implements Comparable<ApiVersion> {
    public static final ApiVersion CURRENT = new ApiVersion(1, 47);
    public static final ApiVersion MINIMUM = new ApiVersion(1, 24);

    private static final Pattern PREFIX = Pattern.compile("^/v(\\d+)\\.(\\d+)(/.*)$");

    /** A request path split into the version it asks for (CURRENT when unversioned) and the route path. */
    public record Versioned(ApiVersion version, String path) {}

    public static Versioned split(String path) {
        Matcher m = PREFIX.matcher(path);
        if (!m.matches()) {
            return new Versioned(CURRENT, path);
        }
        ApiVersion asked = new ApiVersion(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
        if (asked.compareTo(MINIMUM) < 0) {
            throw ApiException.badRequest("client version " + asked + " is too old. Minimum supported API version is "
                    + MINIMUM + ", please upgrade your client to a newer version");
        }
        if (asked.compareTo(CURRENT) > 0) {
            throw ApiException.badRequest(
                    "client version " + asked + " is too new. Maximum supported API version is " + CURRENT);
        }
        return new Versioned(asked, m.group(3));
    }

    public boolean atLeast(int major, int minor) {
        return compareTo(new ApiVersion(major, minor)) >= 0;
    }

    @Override
    public int compareTo(ApiVersion o) {
        return major != o.major ? Integer.compare(major, o.major) : Integer.compare(minor, o.minor);
    }

    @Override
    public String toString() {
        return major + "." + minor;
    }
}
