package dev.holdfast.engine.task;

import dev.holdfast.engine.api.ApiException;
import io.grpc.Status;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.file.Path;

/** A failed supervisor call, carrying which call for which container, and the gRPC status for callers to branch on. */
public final class SupervisorException extends ApiException {
    private final Status.Code code;

    private SupervisorException(HttpResponseStatus status, String message, Status.Code code, Throwable cause) {
        super(status, message, cause);
        this.code = code;
    }

    static SupervisorException of(Status status, String call, String containerId, Path socket, Throwable cause) {
        String subject = containerId == null ? call : call + " of container " + containerId;
        String detail = status.getDescription() == null ? status.getCode().toString() : status.getDescription();
        if (isUnreachable(status)) {
            return new SupervisorException(HttpResponseStatus.INTERNAL_SERVER_ERROR,
                    "supervisor is not reachable at " + socket + " (" + subject + "): " + detail, status.getCode(), cause);
        }
        return switch (status.getCode()) {
            case NOT_FOUND -> new SupervisorException(HttpResponseStatus.NOT_FOUND,
                    subject + ": " + detail, status.getCode(), cause);
            case ALREADY_EXISTS -> new SupervisorException(HttpResponseStatus.CONFLICT,
                    subject + ": " + detail, status.getCode(), cause);
            case INVALID_ARGUMENT -> new SupervisorException(HttpResponseStatus.BAD_REQUEST,
                    subject + ": " + detail, status.getCode(), cause);
            default -> new SupervisorException(HttpResponseStatus.INTERNAL_SERVER_ERROR,
                    subject + " failed: " + detail, status.getCode(), cause);
        };
    }

    public Status.Code code() {
        return code;
    }

    /** The call never reached the supervisor (not running, restarting), as opposed to a failure it reported. */
    public boolean unreachable() {
        return getCause() instanceof io.grpc.StatusRuntimeException sre && isUnreachable(sre.getStatus());
    }

    /**
     * A status the client made up because it could not talk to the server carries the local cause (a refused
     * connection); one the supervisor sent does not, even with the same code (it answers UNAVAILABLE when a shim
     * is unreachable).
     */
    static boolean isUnreachable(Status status) {
        return status.getCode() == Status.Code.UNAVAILABLE && status.getCause() != null;
    }

    /** The supervisor's own words (runc's error text for a failed create), without our context prefix. */
    public String detail() {
        Throwable cause = getCause();
        if (cause instanceof io.grpc.StatusRuntimeException sre && sre.getStatus().getDescription() != null) {
            return sre.getStatus().getDescription();
        }
        return getMessage();
    }
}
