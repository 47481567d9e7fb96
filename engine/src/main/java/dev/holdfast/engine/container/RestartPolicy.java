package dev.holdfast.engine.container;

import dev.holdfast.engine.api.ApiException;
import java.time.Duration;

/** {@code no}, {@code always}, {@code unless-stopped}, {@code on-failure[:N]}: whether an exit is followed by a start. */
public record RestartPolicy(Kind kind, int maximumRetryCount) {
    public enum Kind { NO, ALWAYS, UNLESS_STOPPED, ON_FAILURE }

    public static final RestartPolicy NO = new RestartPolicy(Kind.NO, 0);

    private static final Duration FIRST_DELAY = Duration.ofMillis(100);
    private static final Duration MAX_DELAY = Duration.ofMinutes(1);
    private static final Duration STABLE_RUN = Duration.ofSeconds(10);

    /** Reads HostConfig.RestartPolicy; Docker's 400 messages for what it rejects. */
    public static RestartPolicy of(HostConfig.RestartPolicyConfig config) {
        if (config == null || config.name() == null || config.name().isEmpty()) {
            return NO;
        }
        String name = config.name();
        int max = config.maximumRetryCount();
        if (name.startsWith("on-failure:")) {
            try {
                max = Integer.parseInt(name.substring("on-failure:".length()));
            } catch (NumberFormatException e) {
                throw ApiException.badRequest("invalid restart policy: maximum retry count must be an integer: " + name);
            }
            name = "on-failure";
        }
        Kind kind = switch (name) {
            case "no" -> Kind.NO;
            case "always" -> Kind.ALWAYS;
            case "unless-stopped" -> Kind.UNLESS_STOPPED;
            case "on-failure" -> Kind.ON_FAILURE;
            default -> throw ApiException.badRequest("invalid restart policy: unknown policy '" + name
                    + "'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'");
        };
        if (max < 0) {
            throw ApiException.badRequest("invalid restart policy: maximum retry count cannot be negative");
        }
        if (max > 0 && kind != Kind.ON_FAILURE) {
            throw ApiException.badRequest(
                    "invalid restart policy: maximum retry count can only be used with 'on-failure'");
        }
        return new RestartPolicy(kind, max);
    }

    public String dockerName() {
        return switch (kind) {
            case NO -> "no";
            case ALWAYS -> "always";
            case UNLESS_STOPPED -> "unless-stopped";
            case ON_FAILURE -> "on-failure";
        };
    }

    /**
     * Whether a run that ended with {@code exitCode} is followed by another. Explicit stops never reach here; a
     * manual stop only matters at engine boot, where {@code always} restarts and {@code unless-stopped} does not.
     */
    public boolean shouldRestart(int exitCode, boolean manuallyStopped, int restartCount) {
        return switch (kind) {
            case NO -> false;
            case ALWAYS -> true;
            case UNLESS_STOPPED -> !manuallyStopped;
            case ON_FAILURE -> exitCode != 0 && (maximumRetryCount == 0 || restartCount < maximumRetryCount);
        };
    }

    /** Docker's backoff: 100 ms doubling up to a minute, back to 100 ms after a run of ten seconds or more. */
    public static Duration nextDelay(Duration previous, Duration ranFor) {
        if (previous == null || ranFor.compareTo(STABLE_RUN) >= 0) {
            return FIRST_DELAY;
        }
        Duration doubled = previous.multipliedBy(2);
        return doubled.compareTo(MAX_DELAY) > 0 ? MAX_DELAY : doubled;
    }
}
