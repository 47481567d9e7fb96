package dev.holdfast.engine.network;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;
import java.util.Map;

/** The body of {@code POST /networks/create}, in Docker's field names. */
@JsonNaming(PropertyNamingStrategies.UpperCamelCaseStrategy.class)
public record NetworkCreateRequest(String name, Boolean checkDuplicate, String driver, String scope, boolean internal,
        boolean attachable, boolean ingress, boolean configOnly, Map<String, String> configFrom,
        @com.fasterxml.jackson.annotation.JsonProperty("IPAM") Ipam ipam,
        Boolean enableIPv6, Boolean enableIPv4, Map<String, String> options, Map<String, String> labels) {

    @JsonNaming(PropertyNamingStrategies.UpperCamelCaseStrategy.class)
    public record Ipam(String driver, List<IpamPool> config, Map<String, String> options) {}

    /** {@code IPRange} is spelled so on the wire; UpperCamelCase would give {@code IpRange}. */
    public record IpamPool(
            @com.fasterxml.jackson.annotation.JsonProperty("Subnet") String subnet,
            @com.fasterxml.jackson.annotation.JsonProperty("IPRange") String ipRange,
            @com.fasterxml.jackson.annotation.JsonProperty("Gateway") String gateway,
            @com.fasterxml.jackson.annotation.JsonProperty("AuxiliaryAddresses") Map<String, String> auxiliaryAddresses) {}
}
