package dev.holdfast.engine.container;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;
import java.util.Map;

/** The part of Docker's {@code HostConfig} holdfast acts on; other fields of a request are ignored. */
@JsonNaming(PropertyNamingStrategies.UpperCamelCaseStrategy.class)
public record HostConfig(
        List<String> binds,
        LogConfig logConfig,
        String networkMode,
        Map<String, Object> portBindings,
        RestartPolicyConfig restartPolicy,
        boolean autoRemove,
        List<String> capAdd,
        List<String> capDrop,
        List<String> dns,
        List<String> dnsOptions,
        List<String> dnsSearch,
        List<String> extraHosts,
        boolean readonlyRootfs) {

    @JsonNaming(PropertyNamingStrategies.UpperCamelCaseStrategy.class)
    public record LogConfig(String type, Map<String, String> config) {}

    @JsonNaming(PropertyNamingStrategies.UpperCamelCaseStrategy.class)
    public record RestartPolicyConfig(String name, int maximumRetryCount) {}
}
