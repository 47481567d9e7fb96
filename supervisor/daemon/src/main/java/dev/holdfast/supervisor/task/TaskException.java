package dev.holdfast.supervisor.task;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;

/**
 * A failed task operation, with the gRPC code it maps to and its context: which task and which step. The status
 * description reads {@code task <id>: <step>: <message>}.
 */
public final class TaskException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final Status.Code code;
    private final String id;
    private final String step;

    public TaskException(Status.Code code, String id, String step, String message) {
        this(code, id, step, message, null);
    }

    public TaskException(Status.Code code, String id, String step, String message, Throwable cause) {
        super("task " + id + ": " + step + ": " + message, cause);
        this.code = code;
        this.id = id;
        this.step = step;
    }

    public Status.Code code() {
        return code;
    }

    public String id() {
        return id;
    }

    public String step() {
        return step;
    }

    public StatusRuntimeException toStatus() {
        return Status.fromCode(code).withDescription(getMessage()).withCause(getCause()).asRuntimeException();
    }

    static TaskException notFound(String id, String step) {
        return new TaskException(Status.Code.NOT_FOUND, id, step, "no such task");
    }

    static TaskException execNotFound(String id, String execId, String step) {
        return new TaskException(Status.Code.NOT_FOUND, id, "exec " + execId + ": " + step, "no such exec");
    }
}
