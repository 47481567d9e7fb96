package dev.holdfast.engine.container;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;
import java.util.Map;

/** The part of Docker's {@code HostConfig} holdfast acts on; other fields of a request are ignored. */
@JsonNaming(PropertyNamingStrategies.UpperCamelCaseStrategy.class)
public record HostConfig(
        List<String> binds,
        List<Map<String, Object>> mounts,
        Map<String, String> tmpfs,
        List<String> volumesFrom,
        String volumeDriver,
        LogConfig logConfig,
        String networkMode,
        Map<String, Object> portBindings,
        boolean publishAllPorts,
        List<String> links,
        RestartPolicyConfig restartPolicy,
        boolean autoRemove,
        List<String> capAdd,
        List<String> capDrop,
        List<String> dns,
        List<String> dnsOptions,
        List<String> dnsSearch,
        List<String> extraHosts,
        boolean readonlyRootfs,
        Long memory,
        Long memorySwap,
        Long nanoCpus,
        Long cpuShares,
        Long cpuQuota,
        Long cpuPeriod,
        Long pidsLimit,
        String runtime) {

    /** The same HostConfig with other resource limits (docker update). */
    public HostConfig withResources(Long memory, Long memorySwap, Long nanoCpus, Long cpuShares, Long cpuQuota,
            Long cpuPeriod, Long pidsLimit, RestartPolicyConfig restartPolicy) {
        return new HostConfig(binds, mounts, tmpfs, volumesFrom, volumeDriver, logConfig, networkMode, portBindings, publishAllPorts, links, restartPolicy,
                autoRemove, capAdd, capDrop, dns, dnsOptions, dnsSearch, extraHosts, readonlyRootfs, memory, memorySwap,
                nanoCpus, cpuShares, cpuQuota, cpuPeriod, pidsLimit, runtime);
    }

    /** The same HostConfig with other legacy links ({@code /upstream:/linker/alias}). */
    public HostConfig withLinks(List<String> newLinks) {
        return new HostConfig(binds, mounts, tmpfs, volumesFrom, volumeDriver, logConfig, networkMode, portBindings, publishAllPorts, newLinks, restartPolicy,
                autoRemove, capAdd, capDrop, dns, dnsOptions, dnsSearch, extraHosts, readonlyRootfs, memory, memorySwap,
                nanoCpus, cpuShares, cpuQuota, cpuPeriod, pidsLimit, runtime);
    }

    /** The same HostConfig on another network mode: networking keeps {@code container:<full id>}. */
    public HostConfig withNetworkMode(String mode) {
        return new HostConfig(binds, mounts, tmpfs, volumesFrom, volumeDriver, logConfig, mode, portBindings, publishAllPorts, links, restartPolicy,
                autoRemove, capAdd, capDrop, dns, dnsOptions, dnsSearch, extraHosts, readonlyRootfs, memory, memorySwap,
                nanoCpus, cpuShares, cpuQuota, cpuPeriod, pidsLimit, runtime);
    }

    @JsonNaming(PropertyNamingStrategies.UpperCamelCaseStrategy.class)
    public record LogConfig(String type, Map<String, String> config) {}

    @JsonNaming(PropertyNamingStrategies.UpperCamelCaseStrategy.class)
    public record RestartPolicyConfig(String name, int maximumRetryCount) {}
}
