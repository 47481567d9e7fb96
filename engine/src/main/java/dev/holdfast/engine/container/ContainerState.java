package dev.holdfast.engine.container;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.holdfast.engine.health.HealthState;
import dev.holdfast.engine.time.HumanDuration;
import dev.holdfast.engine.time.Timestamps;
import java.time.Duration;
import java.time.Instant;

/**
 * Docker's container {@code State}. Times are Go RFC3339Nano strings, Go's zero time when unset. As in Docker, a
 * restarting container counts as running (Running and Restarting both true, Pid 0) while it waits for its restart.
 * Health is there once a run of a container with a healthcheck began, as in dockerd.
 */
@JsonNaming(PropertyNamingStrategies.UpperCamelCaseStrategy.class)
public record ContainerState(
        String status,
        boolean running,
        boolean paused,
        boolean restarting,
        @JsonProperty("OOMKilled") boolean oomKilled,
        boolean dead,
        int pid,
        int exitCode,
        String error,
        String startedAt,
        String finishedAt,
        @JsonInclude(JsonInclude.Include.NON_NULL) HealthState health) {

    public static ContainerState created() {
        return new ContainerState("created", false, false, false, false, false, 0, 0, "",
                Timestamps.ZERO_TEXT, Timestamps.ZERO_TEXT, null);
    }

    public ContainerState runningAs(int pid, Instant startedAt) {
        return new ContainerState("running", true, false, false, false, false, pid, 0, "",
                Timestamps.format(startedAt), Timestamps.ZERO_TEXT, health);
    }

    public ContainerState exitedWith(int code, boolean oomKilledInRun, Instant finishedAt, String error) {
        return new ContainerState("exited", false, false, false, oomKilledInRun, false, 0, code, error,
                startedAt, Timestamps.format(finishedAt), probingStopped());
    }

    public ContainerState withHealth(HealthState newHealth) {
        return new ContainerState(status, running, paused, restarting, oomKilled, dead, pid, exitCode, error,
                startedAt, finishedAt, newHealth);
    }

    /** A run that ends or freezes stops its health checks; dockerd then shows the last health as unhealthy. */
    private HealthState probingStopped() {
        return health == null ? null : health.probingStopped();
    }

    /** Running with its processes frozen (docker pause), or thawed again. */
    public ContainerState withPaused(boolean frozen) {
        if (!running || restarting) {
            return this;
        }
        return new ContainerState(frozen ? "paused" : "running", running, frozen, restarting, oomKilled, dead, pid,
                exitCode, error, startedAt, finishedAt, frozen ? probingStopped() : health);
    }

    /** Exited, waiting for the restart policy's delay to pass (OOMKilled stays as the exit left it). */
    public ContainerState restartingAfter(int code, Instant finishedAt) {
        return new ContainerState("restarting", true, false, true, oomKilled, false, 0, code, "",
                startedAt, Timestamps.format(finishedAt), probingStopped());
    }

    /** A start that failed: never ran, so it stays without StartedAt unless an earlier run set one. */
    public ContainerState failedToStart(int code, String error) {
        String status = Timestamps.isZero(startedTime()) ? "created" : "exited";
        return new ContainerState(status, false, false, false, false, false, 0, code, error, startedAt,
                finishedAt, health);
    }

    /** Running in the process sense: an init process exists. */
    @JsonIgnore
    public boolean hasProcess() {
        return running && !restarting;
    }

    @JsonIgnore
    public Instant startedTime() {
        return Timestamps.parse(startedAt);
    }

    @JsonIgnore
    public Instant finishedTime() {
        return Timestamps.parse(finishedAt);
    }

    /**
     * Docker's human status: "Up 3 seconds", "Up 3 seconds (healthy)", "Exited (7) 2 minutes ago", "Created",
     * "Restarting (1) …".
     */
    public String describe(Instant now) {
        if (running) {
            if (restarting) {
                return "Restarting (" + exitCode + ") " + HumanDuration.of(Duration.between(finishedTime(), now)) + " ago";
            }
            String up = "Up " + HumanDuration.of(Duration.between(startedTime(), now));
            if (paused) {
                return up + " (Paused)";
            }
            return health == null ? up : up + " (" + health.describe() + ")";
        }
        if (dead) {
            return "Dead";
        }
        if (Timestamps.isZero(startedTime())) {
            return "Created";
        }
        if (Timestamps.isZero(finishedTime())) {
            return "";
        }
        return "Exited (" + exitCode + ") " + HumanDuration.of(Duration.between(finishedTime(), now)) + " ago";
    }
}
