package dev.holdfast.engine.health;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.holdfast.engine.time.Timestamps;
import java.time.Instant;

/**
 * One probe run, Docker's {@code HealthcheckResult}: times in RFC3339Nano, exit code 0 for a pass, -1 when the probe
 * could not run or exceeded its timeout; Output is what it wrote (at most {@link ProbeOutput#LIMIT} bytes kept).
 */
@JsonNaming(PropertyNamingStrategies.UpperCamelCaseStrategy.class)
public record HealthResult(String start, String end, int exitCode, String output) {

    public static HealthResult of(Instant start, Instant end, int exitCode, String output) {
        return new HealthResult(Timestamps.format(start), Timestamps.format(end), exitCode, output);
    }

    @JsonIgnore
    public Instant startTime() {
        return Timestamps.parse(start);
    }

    @JsonIgnore
    public boolean passed() {
        return exitCode == 0;
    }
}
