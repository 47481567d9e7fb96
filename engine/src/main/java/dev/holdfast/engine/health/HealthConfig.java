package dev.holdfast.engine.health;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.holdfast.engine.errdefs.DomainException;
import dev.holdfast.engine.time.GoDuration;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

/**
 * Docker's {@code Config.Healthcheck} (and the image config's): the probe command and its timing, durations in
 * nanoseconds. Zero (and an empty Test) means "inherit from the image"; what is still zero after that takes dockerd's
 * default. Test is {@code ["NONE"]}, {@code ["CMD", arg...]} or {@code ["CMD-SHELL", command]}.
 */
@JsonNaming(PropertyNamingStrategies.UpperCamelCaseStrategy.class)
public record HealthConfig(
        @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> test,
        @JsonInclude(JsonInclude.Include.NON_DEFAULT) long interval,
        @JsonInclude(JsonInclude.Include.NON_DEFAULT) long timeout,
        @JsonInclude(JsonInclude.Include.NON_DEFAULT) long startPeriod,
        @JsonInclude(JsonInclude.Include.NON_DEFAULT) long startInterval,
        @JsonInclude(JsonInclude.Include.NON_DEFAULT) int retries) {

    static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(30);
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
    static final Duration DEFAULT_START_INTERVAL = Duration.ofSeconds(5);
    static final int DEFAULT_RETRIES = 3;
    private static final Duration MINIMUM = Duration.ofMillis(1);

    /**
     * dockerd's merge of a create request's healthcheck over the image's: the image's whole when the request has
     * none, else field by field where the request's is zero or empty.
     */
    public static HealthConfig merge(HealthConfig asked, HealthConfig image) {
        if (image == null) {
            return asked;
        }
        if (asked == null) {
            return image;
        }
        return new HealthConfig(
                asked.test() == null || asked.test().isEmpty() ? image.test() : asked.test(),
                asked.interval() != 0 ? asked.interval() : image.interval(),
                asked.timeout() != 0 ? asked.timeout() : image.timeout(),
                asked.startPeriod() != 0 ? asked.startPeriod() : image.startPeriod(),
                asked.startInterval() != 0 ? asked.startInterval() : image.startInterval(),
                asked.retries() != 0 ? asked.retries() : image.retries());
    }

    /** dockerd's checks at create, with its words; a healthcheck that is absent is valid. */
    public static void validate(HealthConfig config) {
        if (config == null) {
            return;
        }
        atLeastMinimum("Interval", config.interval());
        atLeastMinimum("Timeout", config.timeout());
        if (config.retries() < 0) {
            throw DomainException.invalidParameter("Retries in Healthcheck cannot be negative");
        }
        atLeastMinimum("StartPeriod", config.startPeriod());
        atLeastMinimum("StartInterval", config.startInterval());
        List<String> test = config.test();
        if (test != null && !test.isEmpty() && !List.of("NONE", "CMD", "CMD-SHELL").contains(test.get(0))) {
            // dockerd accepts and never runs such a check; refusing it says so instead of ignoring it.
            throw DomainException.invalidParameter("Healthcheck.Test must start with NONE, CMD or CMD-SHELL, not \""
                    + test.get(0) + "\"");
        }
        if (test != null && test.size() == 1 && !test.get(0).equals("NONE")) {
            throw DomainException.invalidParameter("Healthcheck.Test " + test.get(0) + " needs a command");
        }
    }

    private static void atLeastMinimum(String field, long nanos) {
        if (nanos != 0 && nanos < MINIMUM.toNanos()) {
            throw DomainException.invalidParameter(field + " in Healthcheck cannot be less than "
                    + GoDuration.format(MINIMUM));
        }
    }

    /** The command a probe runs, or null when there is no check to run (no Test, or NONE). */
    @JsonIgnore
    public List<String> probeCommand() {
        if (test == null || test.size() < 2) {
            return null;
        }
        List<String> args = test.subList(1, test.size());
        return switch (test.get(0)) {
            case "CMD" -> List.copyOf(args);
            case "CMD-SHELL" -> Stream.concat(Stream.of("/bin/sh", "-c"), args.stream()).toList();
            default -> null;
        };
    }

    /** True when a probe runs for containers with this config. */
    public static boolean probes(HealthConfig config) {
        return config != null && config.probeCommand() != null;
    }

    @JsonIgnore
    public Duration effectiveInterval() {
        return orDefault(interval, DEFAULT_INTERVAL);
    }

    @JsonIgnore
    public Duration effectiveTimeout() {
        return orDefault(timeout, DEFAULT_TIMEOUT);
    }

    @JsonIgnore
    public Duration effectiveStartPeriod() {
        return orDefault(startPeriod, Duration.ZERO);
    }

    @JsonIgnore
    public Duration effectiveStartInterval() {
        return orDefault(startInterval, DEFAULT_START_INTERVAL);
    }

    @JsonIgnore
    public int effectiveRetries() {
        return retries > 0 ? retries : DEFAULT_RETRIES;
    }

    private static Duration orDefault(long nanos, Duration fallback) {
        return nanos == 0 ? fallback : Duration.ofNanos(nanos);
    }
}
