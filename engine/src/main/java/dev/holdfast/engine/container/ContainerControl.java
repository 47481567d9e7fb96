package dev.holdfast.engine.container;

import dev.holdfast.engine.api.ApiException;
import dev.holdfast.engine.api.Json;
import dev.holdfast.engine.spec.Resources;
import dev.holdfast.engine.task.TaskClient;
import dev.holdfast.engine.events.EventBus;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * docker pause, unpause and update: the task's state in the supervisor and the record that shows it. A frozen
 * container is not probed, as in dockerd.
 */
public final class ContainerControl {
    /** The fields of a {@code docker update} body that it changes; any other one set is refused. */
    public static final Set<String> UPDATABLE = Set.of("Memory", "MemorySwap", "NanoCpus", "CpuShares", "CpuQuota",
            "CpuPeriod", "PidsLimit", "RestartPolicy", "CpusetCpus", "CpusetMems", "MemoryReservation", "BlkioWeight");

    private final ContainerStore store;
    private final TaskClient tasks;
    private final EventBus events;
    private final ContainerHealth health;

    public ContainerControl(ContainerStore store, TaskClient tasks, EventBus events, ContainerHealth health) {
        this.store = store;
        this.tasks = tasks;
        this.events = events;
        this.health = health;
    }

    public TaskClient tasks() {
        return tasks;
    }

    public void pause(Container c) {
        c.lock().lock();
        try {
            ContainerState state = c.record().state();
            if (!state.hasProcess()) {
                throw ApiException.conflict("Container " + c.id() + " is not running");
            }
            if (state.paused()) {
                throw ApiException.conflict("Container " + c.id() + " is already paused");
            }
            tasks.pause(c.id());
            try {
                store.update(c, r -> r.withState(s -> s.withPaused(true)));
            } catch (RuntimeException notRecorded) {
                // A full disk: thaw it again, or it stays frozen while its record says running (and no kill ends it).
                try {
                    tasks.resume(c.id());
                } catch (RuntimeException e) {
                    notRecorded.addSuppressed(e);
                }
                throw notRecorded;
            }
            health.unwatch(c);
        } finally {
            c.lock().unlock();
        }
        publish(c, "pause");
    }

    public void unpause(Container c) {
        c.lock().lock();
        try {
            ContainerState state = c.record().state();
            if (!state.hasProcess() || !state.paused()) {
                throw ApiException.conflict("Container " + c.id() + " is not paused");
            }
            tasks.resume(c.id());
            store.update(c, r -> r.withState(s -> s.withPaused(false)));
            health.watch(c);
        } finally {
            c.lock().unlock();
        }
        publish(c, "unpause");
    }

    /** The reconciler found the task paused (or not): the record follows the supervisor. */
    public static void recordPaused(ContainerStore store, Container c, boolean paused) {
        if (c.record().state().hasProcess() && c.record().state().paused() != paused) {
            store.update(c, r -> r.withState(s -> s.withPaused(paused)));
        }
    }

    /** 409 unless the container has a process. */
    public List<Integer> pids(Container c) {
        if (!c.record().state().hasProcess()) {
            throw ApiException.conflict("Container " + c.id() + " is not running");
        }
        return tasks.listPids(c.id());
    }

    /** docker update: new limits for the running task, kept in HostConfig for the next run. */
    public void update(Container c, HostConfig asked) {
        c.lock().lock();
        try {
            HostConfig old = c.record().hostConfig();
            Long memory = pick(asked.memory(), old.memory());
            Long swap = asked.memorySwap() != null && asked.memorySwap() != 0 ? asked.memorySwap()
                    : asked.memory() != null && asked.memory() != 0 && old.memorySwap() != null && old.memorySwap() == -1
                            ? Long.valueOf(-1) : asked.memory() != null && asked.memory() != 0 ? null : old.memorySwap();
            HostConfig.RestartPolicyConfig policy = asked.restartPolicy() != null
                    && asked.restartPolicy().name() != null && !asked.restartPolicy().name().isEmpty()
                    ? asked.restartPolicy() : old.restartPolicy();
            if (policy != old.restartPolicy()) {
                RestartPolicy parsed = RestartPolicy.of(policy);
                if (old.autoRemove() && parsed.kind() != RestartPolicy.Kind.NO) {
                    throw ApiException.badRequest("Restart policy cannot be updated because AutoRemove is enabled for the container");
                }
                policy = new HostConfig.RestartPolicyConfig(parsed.dockerName(), parsed.maximumRetryCount());
            }
            HostConfig.RestartPolicyConfig newPolicy = policy;
            HostConfig updated = old.with(h -> {
                h.put("Memory", memory);
                h.put("MemorySwap", swap);
                h.put("NanoCpus", pick(asked.nanoCpus(), old.nanoCpus()));
                h.put("CpuShares", pick(asked.cpuShares(), old.cpuShares()));
                h.put("CpuQuota", pick(asked.cpuQuota(), old.cpuQuota()));
                h.put("CpuPeriod", pick(asked.cpuPeriod(), old.cpuPeriod()));
                h.put("PidsLimit", pick(asked.pidsLimit(), old.pidsLimit()));
                h.put("CpusetCpus", pick(asked.cpusetCpus(), old.cpusetCpus()));
                h.put("CpusetMems", pick(asked.cpusetMems(), old.cpusetMems()));
                h.put("MemoryReservation", pick(asked.memoryReservation(), old.memoryReservation()));
                h.put("BlkioWeight", asked.blkioWeight() != 0 ? asked.blkioWeight() : old.blkioWeight());
                h.set("RestartPolicy", Json.MAPPER.valueToTree(newPolicy));
            });
            Resources.validate(updated);
            if (c.record().state().hasProcess()) {
                try {
                    tasks.update(c.id(), Json.MAPPER.writeValueAsBytes(Resources.of(updated)));
                } catch (IOException e) {
                    throw ApiException.internal("encoding resources: " + e.getMessage(), e);
                }
            }
            store.update(c, r -> new ContainerRecord(r.id(), r.created(), r.path(), r.args(), r.state(), r.image(),
                    r.name(), r.restartCount(), r.config(), updated, r.logPath(), r.hostnamePath(), r.hostsPath(),
                    r.resolvConfPath(), r.hasBeenStartedBefore(), r.hasBeenManuallyStopped()));
        } finally {
            c.lock().unlock();
        }
        publish(c, "update");
    }

    private void publish(Container c, String action) {
        events.publish(ContainerEvents.of(c, action, Map.of()));
    }

    private static Long pick(Long asked, Long old) {
        return asked != null && asked != 0 ? asked : old;
    }

    private static String pick(String asked, String old) {
        return asked != null && !asked.isEmpty() ? asked : old;
    }
}
