package dev.holdfast.engine.task;

import dev.holdfast.engine.container.Container;
import dev.holdfast.engine.container.ContainerControl;
import dev.holdfast.engine.container.ContainerService;
import dev.holdfast.engine.container.ContainerState;
import dev.holdfast.engine.container.Signals;
import dev.holdfast.engine.container.TaskExit;
import dev.holdfast.supervisor.api.Status;
import dev.holdfast.supervisor.api.Task;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Makes container records agree with the supervisor's tasks (docs/internals.md, "Reconcile"). Runs at engine boot
 * and whenever the event stream reconnects, so an exit that happened while nobody listened is still applied.
 */
public final class Reconciler {
    private static final Logger LOG = Logger.getLogger(Reconciler.class.getName());

    private final ContainerService service;
    private final TaskClient tasks;
    private final boolean liveRestore;
    private final Instant bootTime = Instant.now();

    /** @param liveRestore {@code [task.options] reconcile}: adopt running tasks at boot instead of killing them */
    public Reconciler(ContainerService service, TaskClient tasks, boolean liveRestore) {
        this.service = service;
        this.tasks = tasks;
        this.liveRestore = liveRestore;
    }

    /**
     * One pass. {@code boot} is the engine's first pass: it applies the {@code reconcile = false} rule ({@link
     * #afterBoot} follows it).
     *
     * @throws SupervisorException when the supervisor cannot be asked
     */
    public void reconcile(boolean boot) {
        Map<String, Task> byId = new HashMap<>();
        for (Task task : tasks.list()) {
            // Exec'd processes are listed too; the container's state is its init's.
            if (task.getExecId().isEmpty()) {
                byId.put(task.getId(), task);
            }
        }
        for (Container c : service.store().all()) {
            Optional<Task> task = Optional.ofNullable(byId.remove(c.id()));
            try {
                if (boot && !liveRestore) {
                    discard(c, task);
                } else {
                    reconcile(c, task, boot);
                }
            } catch (SupervisorException e) {
                throw e;
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "reconciling container " + c.id() + ": " + e.getMessage(), e);
            }
        }
        for (Task orphan : byId.values()) {
            LOG.info("deleting task " + orphan.getId() + ": no container has this id");
            tasks.delete(orphan.getId(), true);
        }
    }

    /**
     * After the boot's first pass: restart policies of containers found down, --rm containers found down, and the
     * health probes, which resume from the streak and results the records kept. The engine serves after it (after a
     * clean handover it already serves: nothing was found down there).
     */
    public void afterBoot() {
        service.store().all().forEach(service::applyBootRestartPolicy);
        service.store().all().forEach(service::removeAbandonedRunAfterBoot);
        service.store().all().forEach(service.health()::watch);
    }

    private void reconcile(Container c, Optional<Task> listed, boolean boot) {
        c.lock().lock();
        try {
            if (c.removing()) {
                return;
            }
            ContainerState state = c.record().state();
            if (!state.hasProcess() && listed.isEmpty()) {
                return;
            }
            if (listed.isPresent() && agrees(state, listed.get())) {
                // Adopting would change nothing, and nothing newer could need more: a start since the List would
                // have changed the record's pid, and an exit since is applied from the event stream (subscribed
                // before the List) or by the next pass. So a boot with N running containers asks once, not N times.
                return;
            }
            // The list is older than this lock: a start or an exit may have happened since. Ask again.
            Optional<Task> task = tasks.state(c.id());
            if (task.isEmpty()) {
                if (state.hasProcess()) {
                    recordLost(c, boot);
                }
                return;
            }
            Task t = task.get();
            switch (t.getStatus()) {
                case STATUS_RUNNING, STATUS_PAUSED -> {
                    service.adopt(c, t.getPid());
                    ContainerControl.recordPaused(service.store(), c, t.getStatus() == Status.STATUS_PAUSED);
                }
                case STATUS_STOPPED -> {
                    if (state.hasProcess()) {
                        recordExit(c, TaskExit.of(t), boot);
                    } else {
                        tasks.delete(c.id(), true);
                    }
                }
                default -> {
                    // Created but never started: the engine went down between the two calls of a start.
                    tasks.delete(c.id(), true);
                    if (state.hasProcess()) {
                        recordLost(c, boot);
                    }
                }
            }
        } finally {
            c.lock().unlock();
        }
    }

    /**
     * A run whose task is gone (a host reboot emptied the supervisor's state, or its shim was lost): exit code 255
     * and no error, as dockerd's restore records a container whose task containerd no longer has.
     */
    private void recordLost(Container c, boolean boot) {
        LOG.info("container " + c.id() + " has no task in the supervisor (host reboot or lost shim): exit code 255");
        recordExit(c, TaskExit.unreported(255), boot);
    }

    /** At boot the restart policies wait for the boot's own pass (see {@link ContainerService#recordExitAtBoot}). */
    private void recordExit(Container c, TaskExit exit, boolean boot) {
        if (boot) {
            service.recordExitAtBoot(c, exit, "");
        } else {
            service.recordExit(c, exit, "");
        }
    }

    /** The record already shows this running (or paused) task, with its pid. */
    private static boolean agrees(ContainerState state, Task task) {
        boolean paused = task.getStatus() == Status.STATUS_PAUSED;
        return (task.getStatus() == Status.STATUS_RUNNING || paused) && state.hasProcess()
                && state.pid() == task.getPid() && state.paused() == paused;
    }

    /** {@code reconcile = false} at boot: no container survives an engine restart. */
    private void discard(Container c, Optional<Task> listed) {
        c.lock().lock();
        try {
            ContainerState state = c.record().state();
            // The API serves before the supervisor answers: a run started since this engine booted is no leftover.
            if (state.hasProcess() && !state.startedTime().isBefore(bootTime)) {
                return;
            }
            Optional<Task> task = listed.isPresent() || state.hasProcess() ? tasks.state(c.id()) : Optional.empty();
            TaskExit exit = TaskExit.unreported(255);
            if (task.isPresent()) {
                Task t = task.get();
                if (t.getStatus() == Status.STATUS_STOPPED) {
                    exit = TaskExit.of(t);
                } else {
                    tasks.kill(c.id(), Signals.SIGKILL, true);
                    exit = TaskExit.unreported(128 + Signals.SIGKILL);
                }
                tasks.delete(c.id(), true);
            }
            if (state.hasProcess()) {
                service.recordExitAtBoot(c, exit, "");
            }
        } finally {
            c.lock().unlock();
        }
    }
}
