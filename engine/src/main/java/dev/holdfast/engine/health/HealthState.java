package dev.holdfast.engine.health;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Docker's {@code State.Health}: the status, the count of consecutive failures and the last results (oldest first).
 * A container without a healthcheck, or one never started, has none (null).
 */
@JsonNaming(PropertyNamingStrategies.UpperCamelCaseStrategy.class)
public record HealthState(String status, int failingStreak, List<HealthResult> log) {
    public static final String STARTING = "starting";
    public static final String HEALTHY = "healthy";
    public static final String UNHEALTHY = "unhealthy";
    /** The {@code health} filter's word for a container without a health state. */
    public static final String NONE = "none";
    public static final Set<String> FILTER_VALUES = Set.of(STARTING, HEALTHY, UNHEALTHY, NONE);
    static final int LOG_ENTRIES = 5;

    /**
     * A run begins: "starting" with no failures, the earlier results kept (as dockerd's initHealthMonitor does);
     * null when {@code config} runs no probe, so the previous state stays as it was.
     */
    public static HealthState onStart(HealthState previous, HealthConfig config) {
        if (!HealthConfig.probes(config)) {
            return previous;
        }
        return new HealthState(STARTING, 0, previous == null ? List.of() : previous.log());
    }

    /** The probing stopped (the container exited or was paused): dockerd then says unhealthy, silently. */
    public HealthState probingStopped() {
        return new HealthState(UNHEALTHY, failingStreak, log);
    }

    /**
     * dockerd's handling of a result: a pass is healthy with no failures; a failure counts unless the container is
     * still starting within its start period, and {@code Retries} of them in a row are unhealthy.
     */
    public HealthState after(HealthResult result, HealthConfig config, Instant containerStartedAt) {
        List<HealthResult> kept = new ArrayList<>(log);
        kept.add(result);
        if (kept.size() > LOG_ENTRIES) {
            kept.subList(0, kept.size() - LOG_ENTRIES).clear();
        }
        if (result.passed()) {
            return new HealthState(HEALTHY, 0, List.copyOf(kept));
        }
        boolean graced = status.equals(STARTING)
                && Duration.between(containerStartedAt, result.startTime()).compareTo(config.effectiveStartPeriod()) < 0;
        if (graced) {
            return new HealthState(status, failingStreak, List.copyOf(kept));
        }
        int streak = failingStreak + 1;
        return new HealthState(streak >= config.effectiveRetries() ? UNHEALTHY : status, streak, List.copyOf(kept));
    }

    /** What {@code docker ps} shows in parentheses after "Up …". */
    public String describe() {
        return status.equals(STARTING) ? "health: starting" : status;
    }

    /** The value the {@code health} filter of {@code docker ps} matches. */
    public static String filterValue(HealthState health) {
        return health == null ? NONE : health.status();
    }
}
