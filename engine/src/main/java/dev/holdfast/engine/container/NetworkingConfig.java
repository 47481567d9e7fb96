package dev.holdfast.engine.container;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;
import java.util.Map;

/** The create request's {@code NetworkingConfig}: per network, what the container asks for there. */
@JsonNaming(PropertyNamingStrategies.UpperCamelCaseStrategy.class)
public record NetworkingConfig(Map<String, EndpointConfig> endpointsConfig) {

    public static NetworkingConfig empty() {
        return new NetworkingConfig(Map.of());
    }

    @JsonNaming(PropertyNamingStrategies.UpperCamelCaseStrategy.class)
    public record EndpointConfig(@JsonProperty("IPAMConfig") IpamConfig ipamConfig, List<String> links,
            List<String> aliases, String macAddress, Map<String, String> driverOpts,
            @JsonProperty("NetworkID") String networkId) {}

    public record IpamConfig(@JsonProperty("IPv4Address") String ipv4Address,
            @JsonProperty("IPv6Address") String ipv6Address,
            @JsonProperty("LinkLocalIPs") List<String> linkLocalIps) {}
}
