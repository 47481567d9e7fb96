package dev.holdfast.engine.container;

import dev.holdfast.engine.events.EventBus;
import dev.holdfast.engine.health.HealthMonitor;
import dev.holdfast.engine.health.HealthRecords;
import dev.holdfast.engine.health.HealthResult;
import dev.holdfast.engine.health.HealthState;
import dev.holdfast.engine.health.ProbeRunner;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * The health checks as the container lifecycle sees them: {@link #watch} when a run begins or resumes (start,
 * unpause, engine boot), {@link #unwatch} when it ends or freezes; results land in the container's record, written
 * atomically with each one, so an engine killed at any moment keeps the streak and the last results.
 */
public final class ContainerHealth implements HealthRecords, AutoCloseable {
    private final ContainerStore store;
    private final EventBus events;
    private final HealthMonitor monitor;

    public ContainerHealth(ContainerStore store, EventBus events, ProbeRunner probes) {
        this.store = store;
        this.events = events;
        this.monitor = new HealthMonitor(probes, this);
    }

    /** Probes the container's current run if it has a healthcheck and runs unfrozen; a no-op when already probed. */
    public void watch(Container c) {
        c.lock().lock();
        try {
            ContainerRecord record = c.record();
            ContainerState state = record.state();
            if (state.hasProcess() && !state.paused() && state.health() != null) {
                monitor.watch(c.id(), record.config().healthcheck(), state.startedTime(), state.health());
            }
        } finally {
            c.lock().unlock();
        }
    }

    /** Stops probing; the state transition that ended or froze the run already marked the health. */
    public void unwatch(Container c) {
        c.lock().lock();
        try {
            monitor.unwatch(c.id());
        } finally {
            c.lock().unlock();
        }
    }

    @Override
    public Optional<HealthState> record(String containerId, HealthResult result, BooleanSupplier current) {
        Optional<Container> found = store.byId(containerId);
        if (found.isEmpty()) {
            return Optional.empty();
        }
        Container c = found.get();
        c.lock().lock();
        try {
            ContainerState state = c.record().state();
            if (!current.getAsBoolean() || c.removing() || !state.hasProcess() || state.paused() || state.health() == null) {
                return Optional.empty();
            }
            HealthState before = state.health();
            HealthState after = before.after(result, c.record().config().healthcheck(), state.startedTime());
            store.update(c, r -> r.withState(s -> s.withHealth(after)));
            if (!after.status().equals(before.status())) {
                // dockerd's action carries the new status: "health_status: healthy".
                events.publish(ContainerEvents.of(c, "health_status: " + after.status(), Map.of()));
            }
            return Optional.of(after);
        } finally {
            c.lock().unlock();
        }
    }

    @Override
    public void close() {
        monitor.close();
    }
}
