package dev.holdfast.engine.exec;

import dev.holdfast.engine.container.Container;
import dev.holdfast.engine.container.ContainerStore;
import dev.holdfast.engine.task.InteractiveTasks;
import dev.holdfast.engine.task.SupervisorException;
import dev.holdfast.supervisor.api.Status;
import dev.holdfast.supervisor.api.Task;
import java.util.List;
import java.util.Optional;

/**
 * Keeps exec records in step with their processes, which only the supervisor watches: the start's pid and the exit
 * of a running exec are recorded the first time someone asks.
 */
public final class ExecTracker {
    private final ExecStore execs;
    private final ContainerStore containers;
    private final InteractiveTasks tasks;

    public ExecTracker(ContainerStore containers, InteractiveTasks tasks) {
        this.containers = containers;
        this.tasks = tasks;
        this.execs = new ExecStore(id -> containers.byId(id).map(Container::dir));
    }

    public ExecStore store() {
        return execs;
    }

    /** The exec as it is now. */
    public ExecRecord refresh(ExecRecord exec) {
        if (!exec.running()) {
            return exec;
        }
        Optional<Container> c = containers.byId(exec.containerId());
        if (c.isEmpty()) {
            return exec;
        }
        try {
            Optional<Task> task = tasks.state(exec.containerId(), exec.id());
            if (task.isPresent() && task.get().getStatus() == Status.STATUS_STOPPED) {
                ExecRecord exited = exec.exited(task.get().getExit().getExitCode());
                execs.save(c.get().dir(), exited);
                return exited;
            }
            if (task.isPresent() && exec.pid() == 0 && task.get().getPid() != 0) {
                ExecRecord started = exec.startedWith(task.get().getPid());
                execs.save(c.get().dir(), started);
                return started;
            }
        } catch (SupervisorException e) {
            // the supervisor is away: what we know is all we can say
        }
        return exec;
    }

    /**
     * The ids of the container's execs that have not exited (created or running), as dockerd's inspect lists them
     * in {@code ExecIDs}; null when there are none (dockerd's empty list is JSON null too).
     */
    public List<String> pendingIds(Container c) {
        if (!c.record().state().hasProcess()) {
            return null;
        }
        List<String> ids = execs.ofContainer(c.dir()).stream().map(this::refresh)
                .filter(e -> e.exitCode() == null).map(ExecRecord::id).toList();
        return ids.isEmpty() ? null : ids;
    }
}
