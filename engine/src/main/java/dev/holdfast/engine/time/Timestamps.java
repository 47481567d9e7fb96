package dev.holdfast.engine.time;

import java.math.BigDecimal;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Docker's time formats: Go's RFC3339Nano, its zero time, and the unix-seconds strings of since/until. */
public final class Timestamps {
    /** Go's zero {@code time.Time}: what Docker shows for a container that never started or never finished. */
    public static final Instant ZERO = Instant.parse("0001-01-01T00:00:00Z");
    public static final String ZERO_TEXT = "0001-01-01T00:00:00Z";

    private static final Pattern GO_DURATION = Pattern.compile("((\\d+(\\.\\d+)?)(ns|us|µs|ms|s|m|h))+");
    private static final Pattern GO_DURATION_PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(ns|us|µs|ms|s|m|h)");
    private static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss");

    private Timestamps() {}

    /** Go's RFC3339Nano: trailing zeros of the fraction trimmed, "Z" for UTC. */
    public static String format(Instant instant) {
        if (instant == null || instant.equals(ZERO)) {
            return ZERO_TEXT;
        }
        String fraction = instant.getNano() == 0 ? "" : "." + String.format("%09d", instant.getNano()).replaceAll("0+$", "");
        return SECONDS.format(instant.atOffset(ZoneOffset.UTC)) + fraction + "Z";
    }

    /** Docker's RFC3339NanoFixed: always nine fraction digits, so log prefixes line up. */
    public static String formatFixed(Instant instant) {
        return SECONDS.format(instant.atOffset(ZoneOffset.UTC)) + String.format(".%09dZ", instant.getNano());
    }

    /** Parses RFC3339 with any offset; null or empty gives {@link #ZERO}. */
    public static Instant parse(String text) {
        if (text == null || text.isEmpty()) {
            return ZERO;
        }
        return OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
    }

    /** Go's time.ParseDuration for what users type: {@code 1h30m}, {@code 10s}, {@code 1.5h}. */
    static Duration goDuration(String text) {
        Matcher m = GO_DURATION_PART.matcher(text);
        double nanos = 0;
        while (m.find()) {
            double unit = switch (m.group(2)) {
                case "ns" -> 1;
                case "us", "µs" -> 1e3;
                case "ms" -> 1e6;
                case "s" -> 1e9;
                case "m" -> 60e9;
                default -> 3600e9;
            };
            nanos += Double.parseDouble(m.group(1)) * unit;
        }
        return Duration.ofNanos((long) nanos);
    }

    public static boolean isZero(Instant instant) {
        return instant == null || instant.equals(ZERO);
    }

    /**
     * The {@code since}/{@code until} of logs, events and prune filters: unix seconds with an optional fraction
     * (what the docker CLI sends for logs and events), an RFC3339 time, or a Go duration back from now ({@code 24h},
     * {@code 90m}, as a prune filter arrives).
     *
     * @throws IllegalArgumentException naming the value when it is none of these
     */
    public static Instant parseSinceUntil(String value) {
        try {
            if (GO_DURATION.matcher(value).matches()) {
                return Instant.now().minus(goDuration(value));
            }
            if (value.matches("\\d+(\\.\\d{1,9})?")) {
                BigDecimal seconds = new BigDecimal(value);
                long whole = seconds.toBigInteger().longValueExact();
                long nanos = seconds.subtract(BigDecimal.valueOf(whole)).movePointRight(9).longValue();
                return Instant.ofEpochSecond(whole, nanos);
            }
            return parse(value);
        } catch (DateTimeException | ArithmeticException e) {
            throw new IllegalArgumentException("invalid time value " + value
                    + ": use unix seconds (with an optional fraction) or RFC3339", e);
        }
    }
}
