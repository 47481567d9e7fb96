package dev.holdfast.supervisor.testing;

import dev.holdfast.supervisor.api.TaskRequest;

/** {@link TaskRequest}s naming a task or one of its execs. */
public final class TaskRequests {
    private TaskRequests() {}

    /** The task {@code id} itself (its init). */
    public static TaskRequest of(String id) {
        return TaskRequest.newBuilder().setId(id).build();
    }

    /** The exec {@code execId} of task {@code id}; an empty execId is the init. */
    public static TaskRequest of(String id, String execId) {
        return TaskRequest.newBuilder().setId(id).setExecId(execId).build();
    }
}
