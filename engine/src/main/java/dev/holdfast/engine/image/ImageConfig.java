package dev.holdfast.engine.image;

import dev.holdfast.engine.health.HealthConfig;
import java.util.List;
import java.util.Map;

/**
 * The defaults an image gives its containers: the {@code config} object of the OCI/Docker image config JSON.
 * Lists and maps are never null (empty instead); strings may be empty; healthcheck is null when the image has none.
 */
public record ImageConfig(
        List<String> cmd,
        List<String> entrypoint,
        List<String> env,
        String workingDir,
        String user,
        Map<String, String> labels,
        Map<String, Object> exposedPorts,
        Map<String, Object> volumes,
        String stopSignal,
        HealthConfig healthcheck) {}
