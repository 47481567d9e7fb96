package dev.holdfast.engine.api;

import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * {@code /swarm}: holdfast is never part of a swarm, and answers as a dockerd that is not (clients such as
 * docker-py leave a swarm as cleanup and expect dockerd's 503, not a missing page).
 */
public final class SwarmRoutes {
    private static final String NOT_IN_SWARM = "This node is not part of a swarm";

    public void register(Router router) {
        router.get("/swarm", r -> {
            throw new ApiException(HttpResponseStatus.SERVICE_UNAVAILABLE, NOT_IN_SWARM);
        });
        router.post("/swarm/leave", r -> {
            throw new ApiException(HttpResponseStatus.SERVICE_UNAVAILABLE, NOT_IN_SWARM);
        });
        router.post("/swarm/init", r -> {
            throw ApiException.badRequest("swarm mode is not supported by holdfast yet");
        });
        router.post("/swarm/join", r -> {
            throw ApiException.badRequest("swarm mode is not supported by holdfast yet");
        });
    }
}
