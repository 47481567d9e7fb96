package dev.holdfast.engine.api;

/**
 * One route of the Docker API. It runs on its own virtual thread, so it may block (gRPC calls, file I/O, waiting
 * for a container to exit); it either returns a {@link Reply} or takes the connection over through
 * {@link ApiRequest#openStream} / {@link ApiRequest#hijack} and returns {@link Reply#streamed()}.
 */
@FunctionalInterface
public interface Endpoint {
    Reply handle(ApiRequest request) throws Exception;
}
