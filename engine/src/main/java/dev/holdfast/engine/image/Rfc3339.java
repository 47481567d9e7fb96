package dev.holdfast.engine.image;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** Times the way Go's RFC3339Nano writes them (Docker's JSON): UTC, fraction without trailing zeros. */
public final class Rfc3339 {
    private static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss")
            .withZone(ZoneOffset.UTC);

    private Rfc3339() {}

    public static String format(Instant time) {
        String fraction = "";
        if (time.getNano() != 0) {
            fraction = "." + String.format("%09d", time.getNano()).replaceAll("0+$", "");
        }
        return SECONDS.format(time) + fraction + "Z";
    }
}
