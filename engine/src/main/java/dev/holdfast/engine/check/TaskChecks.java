package dev.holdfast.engine.check;

import dev.holdfast.engine.check.InstanceState.ContainerView;
import dev.holdfast.engine.check.InstanceState.ShimView;
import dev.holdfast.engine.check.InstanceState.TaskView;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Records against reality: a container recorded running has a live process with its recorded pid, started no later
 * than its recorded start, and the supervisor's task for it agrees; one recorded exited has its task's exit code
 * while the supervisor still holds the stopped task; every task and every shim belongs to a record; no exec outlives
 * its container's run.
 */
final class TaskChecks {
    /** A process's start time is known to the second (the boot time's precision): this much later is still "no later". */
    static final Duration START_SLACK = Duration.ofSeconds(2);

    private TaskChecks() {}

    static List<Violation> check(InstanceState s) {
        List<Violation> found = new ArrayList<>();
        Map<String, ContainerView> records = s.containersById();
        Map<String, TaskView> inits = s.tasks() == null ? Map.of() : s.tasks().stream()
                .filter(t -> t.execId().isEmpty()).collect(Collectors.toMap(TaskView::id, Function.identity()));
        if (s.tasks() == null) {
            found.add(new Violation("the supervisor did not answer (" + s.tasksUnavailable()
                    + "): records were not compared with its tasks", s.runRoot() + "/supervisor.log"));
        }
        for (ContainerView c : s.containers()) {
            String who = "container " + c.id() + " (" + c.name() + ")";
            TaskView task = inits.get(c.id());
            if (c.hasProcess()) {
                Instant started = s.processStarts().get(c.pid());
                if (started == null) {
                    found.add(new Violation(who + " is recorded running as pid " + c.pid()
                            + ", but no such process lives", "docker inspect " + c.id()));
                } else if (c.startedAt() != null && started.isAfter(c.startedAt().plus(START_SLACK))) {
                    found.add(new Violation(who + " is recorded running as pid " + c.pid() + " since " + c.startedAt()
                            + ", but that pid's process started at " + started + ": another process has its pid",
                            "/proc/" + c.pid()));
                }
                if (s.tasks() != null) {
                    checkRunningTask(who, c, task, found);
                }
            } else if (task != null && (task.status().equals("running") || task.status().equals("paused"))) {
                found.add(new Violation(who + " is recorded not running, but its task is " + task.status()
                        + " as pid " + task.pid(), "holdfast ctl tasks ls"));
            } else if (task != null && task.status().equals("stopped") && task.exitCode() != c.exitCode()) {
                found.add(new Violation(who + " is recorded exited with code " + c.exitCode() + ", but its task"
                        + " exited with " + task.exitCode(), "holdfast ctl tasks ls; docker inspect " + c.id()));
            }
        }
        if (s.tasks() != null) {
            for (TaskView t : s.tasks()) {
                if (!records.containsKey(t.id())) {
                    found.add(new Violation("task " + t.id() + (t.execId().isEmpty() ? "" : " exec " + t.execId())
                            + " (" + t.status() + ", pid " + t.pid() + ", shim " + t.shimPid()
                            + ") belongs to no container record", "holdfast ctl tasks ls"));
                } else if (!t.execId().isEmpty()) {
                    checkExec(records.get(t.id()), inits.get(t.id()), t, found);
                }
            }
        }
        for (ShimView shim : s.shims()) {
            if (!records.containsKey(shim.taskId())) {
                found.add(new Violation("shim pid " + shim.pid() + " runs for " + shim.taskId()
                        + ", which no container record names", "/proc/" + shim.pid()));
            } else if (s.tasks() != null && s.tasks().stream().noneMatch(t -> t.id().equals(shim.taskId()))) {
                found.add(new Violation("shim pid " + shim.pid() + " runs for container " + shim.taskId()
                        + ", which the supervisor has no task for (an orphaned shim)", "/proc/" + shim.pid()));
            }
        }
        return found;
    }

    /**
     * When a container's init exits the supervisor SIGKILLs its running execs and kills the shims of those never
     * started, and they are stopped from then on: one still created, running or paused leaked a process or a shim.
     */
    private static void checkExec(ContainerView c, TaskView init, TaskView exec, List<Violation> found) {
        boolean exited = !c.hasProcess() || init == null || init.status().equals("stopped");
        if (exited && !exec.status().equals("stopped")) {
            found.add(new Violation("exec " + exec.execId() + " of container " + c.id() + " (" + c.name() + ") is "
                    + exec.status() + " (pid " + exec.pid() + ", shim " + exec.shimPid() + "), but the container has"
                    + " exited: an exec process or shim left behind", "holdfast ctl tasks ls"));
        }
    }

    private static void checkRunningTask(String who, ContainerView c, TaskView task, List<Violation> found) {
        if (task == null) {
            found.add(new Violation(who + " is recorded running, but the supervisor has no task for it",
                    "holdfast ctl tasks ls"));
        } else if (task.status().equals("stopped")) {
            found.add(new Violation(who + " is recorded running, but its task has stopped: an exit the engine did"
                    + " not record", "holdfast ctl tasks ls"));
        } else if (task.pid() != c.pid()) {
            found.add(new Violation(who + " is recorded running as pid " + c.pid() + ", its task as pid " + task.pid(),
                    "holdfast ctl tasks ls"));
        } else if (c.paused() != task.status().equals("paused")) {
            found.add(new Violation(who + " is recorded " + (c.paused() ? "paused" : "running") + ", its task is "
                    + task.status(), "holdfast ctl tasks ls"));
        }
    }
}
