package dev.holdfast.engine.time;

import java.time.Duration;

/** Go's {@code time.Duration.String()}: "200ms", "1.5s", "1m30s", "1h0m0s"; dockerd quotes durations this way. */
public final class GoDuration {
    private GoDuration() {}

    public static String format(Duration d) {
        long nanos = d.toNanos();
        if (nanos == 0) {
            return "0s";
        }
        String sign = nanos < 0 ? "-" : "";
        long u = Math.abs(nanos);
        if (u < 1_000) {
            return sign + u + "ns";
        }
        if (u < 1_000_000) {
            return sign + decimal(u, 1_000, 3) + "µs";
        }
        if (u < 1_000_000_000) {
            return sign + decimal(u, 1_000_000, 6) + "ms";
        }
        long seconds = u / 1_000_000_000;
        String secondsPart = decimal(u % 60_000_000_000L, 1_000_000_000, 9) + "s";
        long hours = seconds / 3600;
        long minutes = seconds % 3600 / 60;
        if (hours > 0) {
            return sign + hours + "h" + minutes + "m" + secondsPart;
        }
        return sign + (minutes > 0 ? minutes + "m" : "") + secondsPart;
    }

    /** {@code value / scale} with its fraction's trailing zeros dropped. */
    private static String decimal(long value, long scale, int digits) {
        String fraction = String.format("%0" + digits + "d", value % scale).replaceAll("0+$", "");
        return value / scale + (fraction.isEmpty() ? "" : "." + fraction);
    }
}
