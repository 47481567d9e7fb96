package dev.holdfast.engine.api;

import io.netty.handler.codec.http.HttpResponseStatus;

/** A failure that reaches the client as Docker's {@code {"message": ...}} body with an HTTP status. */
public class ApiException extends RuntimeException {
    private final HttpResponseStatus status;

    public ApiException(HttpResponseStatus status, String message) {
        super(message);
        this.status = status;
    }

    public ApiException(HttpResponseStatus status, String message, Throwable cause) {
        super(message, cause);
        this.status = status;
    }

    public HttpResponseStatus status() {
        return status;
    }

    public static ApiException badRequest(String message) {
        return new ApiException(HttpResponseStatus.BAD_REQUEST, message);
    }

    public static ApiException notFound(String message) {
        return new ApiException(HttpResponseStatus.NOT_FOUND, message);
    }

    public static ApiException conflict(String message) {
        return new ApiException(HttpResponseStatus.CONFLICT, message);
    }

    public static ApiException notModified() {
        return new ApiException(HttpResponseStatus.NOT_MODIFIED, "");
    }

    public static ApiException internal(String message, Throwable cause) {
        return new ApiException(HttpResponseStatus.INTERNAL_SERVER_ERROR, message, cause);
    }
}
