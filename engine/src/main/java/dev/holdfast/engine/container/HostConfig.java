package dev.holdfast.engine.container;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.holdfast.engine.api.Json;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The fields of Docker's {@code HostConfig} that holdfast implements. Every other field of the API's HostConfig is
 * refused when set ({@link CreateFields}), so nothing a client asks for is silently dropped.
 */
@JsonNaming(PropertyNamingStrategies.UpperCamelCaseStrategy.class)
@JsonInclude(JsonInclude.Include.ALWAYS)
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
        @JsonProperty("ContainerIDFile") String containerIdFile,
        List<Integer> consoleSize,
        Map<String, String> annotations,
        String pidMode,
        String ipcMode,
        @JsonProperty("UTSMode") String utsMode,
        String cgroupnsMode,
        String cgroupParent,
        boolean privileged,
        List<DeviceMapping> devices,
        List<String> deviceCgroupRules,
        List<String> groupAdd,
        Map<String, String> sysctls,
        List<Ulimit> ulimits,
        Long shmSize,
        int oomScoreAdj,
        Boolean oomKillDisable,
        List<String> securityOpt,
        List<String> maskedPaths,
        List<String> readonlyPaths,
        String cpusetCpus,
        String cpusetMems,
        Long memoryReservation,
        Long memorySwappiness,
        int blkioWeight,
        List<WeightDevice> blkioWeightDevice,
        List<ThrottleDevice> blkioDeviceReadBps,
        List<ThrottleDevice> blkioDeviceWriteBps,
        @JsonProperty("BlkioDeviceReadIOps") List<ThrottleDevice> blkioDeviceReadIops,
        @JsonProperty("BlkioDeviceWriteIOps") List<ThrottleDevice> blkioDeviceWriteIops,
        Boolean init,
        String isolation,
        String runtime) {

    /** What a create request without a HostConfig asks for: Docker's defaults, filled in at create time. */
    public static HostConfig empty() {
        return Json.MAPPER.convertValue(Map.of(), HostConfig.class);
    }

    /**
     * The same HostConfig with some fields changed, named as in Docker's JSON ({@code hc.with(h -> h.put("NetworkMode",
     * "none"))}): one copy path for every field instead of a constructor call per change.
     */
    public HostConfig with(Consumer<ObjectNode> change) {
        ObjectNode tree = Json.MAPPER.valueToTree(this);
        change.accept(tree);
        return Json.MAPPER.convertValue(tree, HostConfig.class);
    }

    /** The same HostConfig with other legacy links ({@code /upstream:/linker/alias}). */
    public HostConfig withLinks(List<String> newLinks) {
        return with(h -> h.set("Links", Json.MAPPER.valueToTree(newLinks)));
    }

    /** The same HostConfig on another network mode: networking keeps {@code container:<full id>}. */
    public HostConfig withNetworkMode(String mode) {
        return with(h -> h.put("NetworkMode", mode));
    }

    @JsonNaming(PropertyNamingStrategies.UpperCamelCaseStrategy.class)
    public record LogConfig(String type, Map<String, String> config) {}

    @JsonNaming(PropertyNamingStrategies.UpperCamelCaseStrategy.class)
    public record RestartPolicyConfig(String name, int maximumRetryCount) {}

    /** {@code --device /dev/x:/dev/y:rwm}. */
    @JsonNaming(PropertyNamingStrategies.UpperCamelCaseStrategy.class)
    public record DeviceMapping(String pathOnHost, String pathInContainer, String cgroupPermissions) {}

    /** {@code --ulimit nofile=1024:2048}. */
    @JsonNaming(PropertyNamingStrategies.UpperCamelCaseStrategy.class)
    public record Ulimit(String name, long soft, long hard) {}

    /** {@code --blkio-weight-device /dev/sda:200}. */
    @JsonNaming(PropertyNamingStrategies.UpperCamelCaseStrategy.class)
    public record WeightDevice(String path, int weight) {}

    /** {@code --device-read-bps /dev/sda:1mb} and its three siblings. */
    @JsonNaming(PropertyNamingStrategies.UpperCamelCaseStrategy.class)
    public record ThrottleDevice(String path, long rate) {}
}
