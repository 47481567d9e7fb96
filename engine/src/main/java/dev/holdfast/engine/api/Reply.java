package dev.holdfast.engine.api;

import io.netty.handler.codec.http.HttpResponseStatus;

/** What an {@link Endpoint} answers: a status with a JSON body, no content, raw bytes, or "already streamed". */
public sealed interface Reply {
    record JsonBody(HttpResponseStatus status, Object body) implements Reply {}

    record Bytes(HttpResponseStatus status, String contentType, byte[] body) implements Reply {}

    record Empty(HttpResponseStatus status) implements Reply {}

    /** The endpoint wrote the response itself through a stream or a hijacked connection. */
    record Streamed() implements Reply {}

    static Reply ok(Object body) {
        return new JsonBody(HttpResponseStatus.OK, body);
    }

    static Reply created(Object body) {
        return new JsonBody(HttpResponseStatus.CREATED, body);
    }

    static Reply noContent() {
        return new Empty(HttpResponseStatus.NO_CONTENT);
    }

    static Reply text(String contentType, String body) {
        return new Bytes(HttpResponseStatus.OK, contentType, body.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    static Reply streamed() {
        return new Streamed();
    }
}
