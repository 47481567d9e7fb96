package dev.holdfast.engine.log;

import dev.holdfast.engine.errdefs.DomainException;
import dev.holdfast.engine.container.HostConfig;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The json-file driver's {@code max-size}/{@code max-file} options, which the shim applies. Only json-file exists:
 * it is what the shim writes and what {@code docker logs} reads back.
 */
public record LogRotation(long maxSize, int maxFiles) {
    public static final String DRIVER = "json-file";
    /** Docker's driver that keeps nothing: the shim writes to /dev/null and {@code docker logs} has nothing to read. */
    public static final String NONE = "none";
    public static final LogRotation UNLIMITED = new LogRotation(0, 0);

    /** Drivers dockerd ships that holdfast does not (yet) offer. */
    private static final Set<String> DOCKER_DRIVERS = Set.of("local", "syslog", "journald", "gelf",
            "fluentd", "awslogs", "splunk", "etwlogs", "gcplogs", "logentries");
    /** json-file options dockerd knows that the shim does not apply (yet): refused when set, never ignored. */
    private static final Set<String> UNSUPPORTED_OPTIONS = Set.of("labels", "labels-regex", "env", "env-regex",
            "compress");
    private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?) ?([kmgtp])?i?b?");

    /** Validates a LogConfig; 400 for another driver, an unknown option or an unreadable value. */
    public static LogRotation of(HostConfig.LogConfig config) {
        if (config == null) {
            return UNLIMITED;
        }
        if (NONE.equals(config.type())) {
            if (config.config() != null && !config.config().isEmpty()) {
                throw DomainException.invalidParameter("unknown log opt '" + config.config().keySet().iterator().next()
                        + "' for none log driver");
            }
            return UNLIMITED;
        }
        if (config.type() != null && !config.type().isEmpty() && !config.type().equals(DRIVER)) {
            if (DOCKER_DRIVERS.contains(config.type())) {
                throw DomainException.notImplemented("log driver \"" + config.type() + "\"");
            }
            // dockerd's wording for a driver it does not know.
            throw DomainException.invalidParameter("logger: no log driver named '" + config.type() + "' is registered");
        }
        Map<String, String> options = config.config() == null ? Map.of() : config.config();
        long maxSize = 0;
        int maxFiles = 1;
        for (Map.Entry<String, String> option : options.entrySet()) {
            switch (option.getKey()) {
                case "max-size" -> maxSize = parseSize(option.getValue());
                case "max-file" -> maxFiles = parseFiles(option.getValue());
                // dockerd's json-file accepts a tag and does nothing with it either: no line carries it.
                case "tag" -> { }
                case "compress" -> {
                    if (!option.getValue().equals("false")) {
                        throw DomainException.notImplemented("log option \"compress\"");
                    }
                }
                default -> {
                    if (UNSUPPORTED_OPTIONS.contains(option.getKey())) {
                        throw DomainException.notImplemented("log option \"" + option.getKey() + "\"");
                    }
                    throw DomainException.invalidParameter("unknown log opt '" + option.getKey()
                            + "' for json-file log driver");
                }
            }
        }
        // As in dockerd's json-file, max-file only counts once max-size is set (the daemon's [log] may set it).
        return maxSize <= 0 ? UNLIMITED : new LogRotation(maxSize, maxFiles);
    }

    /** Whether {@code docker logs} can read what the container wrote. */
    public static boolean readable(HostConfig.LogConfig config) {
        return config == null || !NONE.equals(config.type());
    }

    /** go-units RAMInBytes: "10m", "1.5g", "512k", "100" (binary multiples). */
    static long parseSize(String value) {
        Matcher m = SIZE.matcher(value.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw DomainException.invalidParameter("invalid max-size for json-file log driver: " + value);
        }
        int power = m.group(2) == null ? 0 : "kmgtp".indexOf(m.group(2)) + 1;
        return (long) (Double.parseDouble(m.group(1)) * Math.pow(1024, power));
    }

    private static int parseFiles(String value) {
        try {
            int files = Integer.parseInt(value.trim());
            if (files < 1) {
                throw DomainException.invalidParameter("max-file cannot be less than 1");
            }
            return files;
        } catch (NumberFormatException e) {
            throw DomainException.invalidParameter("invalid max-file for json-file log driver: " + value);
        }
    }
}
