package dev.holdfast.supervisor.task;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.holdfast.supervisor.api.Status;
import dev.holdfast.supervisor.api.Task;
import dev.holdfast.supervisor.runc.TaskRuntimes;
import dev.holdfast.supervisor.runc.RuncException;
import io.grpc.Status.Code;
import java.io.IOException;
import java.util.List;
import java.util.logging.Logger;

/**
 * What the supervisor asks runc itself about a whole container: pause, resume, its pids, its resource usage, and
 * new resource limits. runc refusing is FAILED_PRECONDITION with runc's message; runc not running at all is
 * INTERNAL.
 */
final class ContainerControls {
    private static final Logger LOG = Logger.getLogger(ContainerControls.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();

    private final TaskRuntimes runtimes;
    private final TaskEvents events;

    ContainerControls(TaskRuntimes runtimes, TaskEvents events) {
        this.runtimes = runtimes;
        this.events = events;
    }

    /** {@code runc pause}: RUNNING -> PAUSED with a PAUSED event. */
    Task pause(TaskRecord task) {
        task.operationLock().lock();
        try {
            requireStatus(task, "pause", Status.STATUS_RUNNING);
            act(task, "pause", () -> runtimes.of(task.id()).pause(task.id()));
            Task t = task.markPaused(events);
            LOG.info("task " + task.id() + ": paused");
            return t != null ? t : task.toTask();
        } finally {
            task.operationLock().unlock();
        }
    }

    /** {@code runc resume}: PAUSED -> RUNNING with a RESUMED event. */
    Task resume(TaskRecord task) {
        task.operationLock().lock();
        try {
            requireStatus(task, "resume", Status.STATUS_PAUSED);
            act(task, "resume", () -> runtimes.of(task.id()).resume(task.id()));
            Task t = task.markResumed(events);
            LOG.info("task " + task.id() + ": resumed");
            return t != null ? t : task.toTask();
        } finally {
            task.operationLock().unlock();
        }
    }

    /** {@code runc ps}: the host pids of every process in the container. */
    List<Integer> pids(TaskRecord task) {
        requireLive(task, "list pids");
        return query(task, "list pids", () -> runtimes.of(task.id()).pids(task.id()));
    }

    /** {@code runc events --stats}: the stats JSON object. */
    byte[] stats(TaskRecord task) {
        requireLive(task, "stats");
        return query(task, "stats", () -> runtimes.of(task.id()).stats(task.id()));
    }

    /** {@code runc update --resources -} with {@code resources}, an OCI LinuxResources JSON object. */
    Task update(TaskRecord task, byte[] resources) {
        JsonNode node;
        try {
            node = JSON.readTree(resources);
        } catch (IOException e) {
            throw new TaskException(Code.INVALID_ARGUMENT, task.id(), "update", "resources are not valid JSON");
        }
        if (node == null || !node.isObject()) {
            throw new TaskException(Code.INVALID_ARGUMENT, task.id(), "update", "resources are not a JSON object");
        }
        requireLive(task, "update");
        act(task, "update", () -> runtimes.of(task.id()).update(task.id(), resources));
        return task.toTask();
    }

    private static void requireStatus(TaskRecord task, String step, Status wanted) {
        Status s = task.status();
        if (s != wanted) {
            throw new TaskException(Code.FAILED_PRECONDITION, task.id(), step,
                    "task is " + ProcessRecord.statusName(s) + ", not " + ProcessRecord.statusName(wanted));
        }
    }

    private static void requireLive(TaskRecord task, String step) {
        if (task.isStopped()) {
            throw new TaskException(Code.FAILED_PRECONDITION, task.id(), step, "task is stopped");
        }
    }

    private interface RuncCall<T> {
        T call() throws IOException;
    }

    private interface RuncAction {
        void run() throws IOException;
    }

    private static void act(TaskRecord task, String step, RuncAction action) {
        query(task, step, () -> {
            action.run();
            return null;
        });
    }

    private static <T> T query(TaskRecord task, String step, RuncCall<T> call) {
        try {
            return call.call();
        } catch (RuncException e) {
            throw new TaskException(Code.FAILED_PRECONDITION, task.id(), step,
                    "runc: " + (e.runcMessage().isEmpty() ? e.getMessage() : e.runcMessage()));
        } catch (IOException e) {
            throw new TaskException(Code.INTERNAL, task.id(), step, e.getMessage(), e);
        }
    }
}
