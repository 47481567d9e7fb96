package dev.holdfast.engine.container;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.holdfast.engine.health.HealthConfig;
import java.util.List;
import java.util.Map;

/**
 * Docker's container {@code Config}: what the client asked for, merged with the image's defaults at create time.
 * In a create request a null list means "take the image's"; an empty one means "none".
 */
@JsonNaming(PropertyNamingStrategies.UpperCamelCaseStrategy.class)
@JsonInclude(JsonInclude.Include.ALWAYS)
public record ContainerConfig(
        String hostname,
        String domainname,
        String user,
        boolean attachStdin,
        boolean attachStdout,
        boolean attachStderr,
        Map<String, Object> exposedPorts,
        boolean tty,
        boolean openStdin,
        boolean stdinOnce,
        List<String> env,
        @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY) List<String> cmd,
        String image,
        Map<String, Object> volumes,
        String workingDir,
        @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY) List<String> entrypoint,
        Map<String, String> labels,
        String stopSignal,
        Integer stopTimeout,
        String macAddress,
        @JsonInclude(JsonInclude.Include.NON_NULL) HealthConfig healthcheck) {}
