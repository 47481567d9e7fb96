package dev.holdfast.engine.container;

import dev.holdfast.supervisor.api.Task;
import java.time.Instant;

/**
 * How a container's init process ended. {@code oomKilled}: the kernel OOM-killed a process of the container's
 * memory cgroup during the run (docker's State.OOMKilled), as the supervisor read it from the cgroup.
 */
public record TaskExit(int exitCode, boolean oomKilled, Instant exitedAt) {

    /** The exit of a stopped task, as the supervisor reports it. */
    public static TaskExit of(Task task) {
        var ts = task.getExit().getExitedAt();
        Instant at = ts.getSeconds() == 0 && ts.getNanos() == 0 ? Instant.now()
                : Instant.ofEpochSecond(ts.getSeconds(), ts.getNanos());
        return new TaskExit(task.getExit().getExitCode(), task.getExit().getOomKilled(), at);
    }

    /** An exit the supervisor cannot tell about (the task is lost, or the engine killed it): now, no OOM. */
    public static TaskExit unreported(int exitCode) {
        return new TaskExit(exitCode, false, Instant.now());
    }
}
