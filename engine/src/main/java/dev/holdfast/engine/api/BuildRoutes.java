package dev.holdfast.engine.api;

/**
 * {@code /build}, {@code /build/prune}, {@code /session}: holdfast has no image builder yet. Refused with a 400 that
 * says so, rather than dockerd's "page not found" for a route it lacks: a user of {@code docker build} must learn
 * that builds are missing, not guess at a wrong path or API version.
 */
public final class BuildRoutes {
    private static final String NOT_SUPPORTED = "image builds (docker build) are not supported by holdfast yet";

    public void register(Router router) {
        Endpoint refuse = r -> {
            throw ApiException.badRequest(NOT_SUPPORTED);
        };
        router.post("/build", refuse);
        router.post("/build/prune", refuse);
        router.post("/session", refuse);
    }
}
