package dev.holdfast.engine.api;

import dev.holdfast.engine.errdefs.ErrorKind;
import io.netty.handler.codec.http.HttpResponseStatus;

/** The one place where the domain's error kinds become HTTP status codes (as moby's httpstatus does). */
final class ErrorStatus {
    private ErrorStatus() {}

    static HttpResponseStatus of(ErrorKind kind) {
        return switch (kind) {
            // Docker answers an unsupported option like any other bad parameter: the request is what must change.
            case INVALID_PARAMETER, NOT_IMPLEMENTED -> HttpResponseStatus.BAD_REQUEST;
            case NOT_FOUND -> HttpResponseStatus.NOT_FOUND;
            case FORBIDDEN -> HttpResponseStatus.FORBIDDEN;
            case CONFLICT -> HttpResponseStatus.CONFLICT;
            case UNAVAILABLE -> HttpResponseStatus.SERVICE_UNAVAILABLE;
            case SYSTEM -> HttpResponseStatus.INTERNAL_SERVER_ERROR;
        };
    }
}
