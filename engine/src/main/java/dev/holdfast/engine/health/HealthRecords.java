package dev.holdfast.engine.health;

import java.util.Optional;
import java.util.function.BooleanSupplier;

/** Where probe results go: the container's record, persisted, with a {@code health_status} event on a change. */
public interface HealthRecords {
    /**
     * Applies {@code result} to the container's health and persists it, if the container still runs and
     * {@code current} (asked under the container's lock) says the probing that produced it was not stopped.
     *
     * @return the health after the result; empty when it was not applied (the monitor stops then)
     */
    Optional<HealthState> record(String containerId, HealthResult result, BooleanSupplier current);
}
