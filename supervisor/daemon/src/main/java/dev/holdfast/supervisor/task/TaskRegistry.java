package dev.holdfast.supervisor.task;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The tasks by id, in memory (each holds its execs). An id is first reserved (a create in progress: invisible, but taken), then
 * committed with its record, and finally removed on delete.
 */
public final class TaskRegistry {
    private final Map<String, TaskRecord> tasks = new HashMap<>();
    private final Set<String> reserved = new HashSet<>();

    /** Takes {@code id} for a create; false when a task or another create has it. */
    public synchronized boolean reserve(String id) {
        if (tasks.containsKey(id) || reserved.contains(id)) {
            return false;
        }
        reserved.add(id);
        return true;
    }

    /** Gives up a reservation (the create failed). */
    public synchronized void release(String id) {
        reserved.remove(id);
    }

    /** Makes a reserved or adopted task visible. */
    public synchronized void commit(TaskRecord record) {
        if (tasks.containsKey(record.id())) {
            throw new IllegalStateException("task " + record.id() + " is already registered");
        }
        reserved.remove(record.id());
        tasks.put(record.id(), record);
    }

    public synchronized Optional<TaskRecord> get(String id) {
        return Optional.ofNullable(tasks.get(id));
    }

    /**
     * The task's init ({@code execId} "") or one of its execs.
     *
     * @throws TaskException NOT_FOUND naming {@code step} when there is no such task or exec
     */
    public ProcessRecord process(String id, String execId, String step) {
        TaskRecord task = get(id).orElseThrow(() -> TaskException.notFound(id,
                execId.isEmpty() ? step : "exec " + execId + ": " + step));
        if (execId.isEmpty()) {
            return task;
        }
        return task.exec(execId).orElseThrow(() -> TaskException.execNotFound(id, execId, step));
    }

    /** Removes {@code record} if it is still the one registered under its id. */
    public synchronized boolean remove(TaskRecord record) {
        return tasks.remove(record.id(), record);
    }

    /** All tasks, sorted by id. */
    public synchronized List<TaskRecord> list() {
        List<TaskRecord> all = new ArrayList<>(tasks.values());
        all.sort((a, b) -> a.id().compareTo(b.id()));
        return all;
    }
}
