package dev.holdfast.engine.health;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runs the health probes of running containers, one virtual thread per container: wait the interval, probe, record.
 * The engine runs the probes (the supervisor owns processes but holds no container config), so after an engine
 * restart the lifecycle calls {@link #watch} again and probing resumes from the persisted state.
 */
public final class HealthMonitor implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(HealthMonitor.class.getName());

    private final ProbeRunner probes;
    private final HealthRecords records;
    private final Map<String, Probing> probing = new ConcurrentHashMap<>();

    public HealthMonitor(ProbeRunner probes, HealthRecords records) {
        this.probes = probes;
        this.records = records;
    }

    /**
     * Probes the run of the container that started at {@code startedAt}, unless that run is probed already (so a
     * boot or a reconcile may ask again). Nothing happens when {@code config} runs no probe.
     */
    public void watch(String containerId, HealthConfig config, Instant startedAt, HealthState current) {
        if (!HealthConfig.probes(config)) {
            return;
        }
        Probing next = new Probing(containerId, config, startedAt, current == null ? HealthState.STARTING : current.status());
        Probing previous = probing.get(containerId);
        if (previous != null && previous.startedAt.equals(startedAt) && previous.config.equals(config)) {
            return;
        }
        probing.put(containerId, next);
        if (previous != null) {
            previous.stop();
        }
        Thread.ofVirtual().name("health " + containerId).start(next::loop);
    }

    /** Stops probing the container; a probe under way finishes, and its result is dropped. */
    public void unwatch(String containerId) {
        Probing stopped = probing.remove(containerId);
        if (stopped != null) {
            stopped.stop();
        }
    }

    @Override
    public void close() {
        List.copyOf(probing.keySet()).forEach(this::unwatch);
    }

    private final class Probing {
        private final String containerId;
        private final HealthConfig config;
        private final Instant startedAt;
        private final CountDownLatch stopped = new CountDownLatch(1);
        private volatile String status;

        Probing(String containerId, HealthConfig config, Instant startedAt, String status) {
            this.containerId = containerId;
            this.config = config;
            this.startedAt = startedAt;
            this.status = status;
        }

        void stop() {
            stopped.countDown();
        }

        boolean active() {
            return stopped.getCount() > 0;
        }

        void loop() {
            try {
                while (!stopped.await(nextDelay().toNanos(), TimeUnit.NANOSECONDS)) {
                    HealthResult result = probeOnce();
                    var after = records.record(containerId, result, this::active);
                    if (after.isEmpty()) {
                        return;
                    }
                    status = after.get().status();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "health checks of container " + containerId + " stopped: " + e.getMessage(), e);
            } finally {
                probing.remove(containerId, this);
            }
        }

        private HealthResult probeOnce() {
            Instant start = Instant.now();
            ProbeRunner.Outcome outcome;
            try {
                outcome = probes.run(containerId, config.probeCommand(), config.effectiveTimeout());
            } catch (RuntimeException e) {
                LOG.log(Level.FINE, "health check of container " + containerId + " could not run", e);
                outcome = new ProbeRunner.Outcome(-1, String.valueOf(e.getMessage()));
            }
            return HealthResult.of(start, Instant.now(), outcome.exitCode(), outcome.output());
        }

        /**
         * dockerd's timing: the interval, but within the start period the start interval while starting, and never
         * past the end of the start period.
         */
        private Duration nextDelay() {
            Duration interval = config.effectiveInterval();
            Duration left = config.effectiveStartPeriod().minus(Duration.between(startedAt, Instant.now()));
            if (left.isNegative() || left.isZero()) {
                return interval;
            }
            if (left.compareTo(interval) < 0) {
                return left;
            }
            return status.equals(HealthState.STARTING) ? config.effectiveStartInterval() : interval;
        }
    }
}
