package dev.holdfast.engine.network;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.Map;

/**
 * A network as holdfast keeps it ({@code <data>/networks/<id>.json} for user-defined ones; the predefined
 * {@code bridge}, {@code host} and {@code none} come from the configuration).
 *
 * @param driver {@code bridge}, {@code host} or {@code null} (Docker's name for "none")
 * @param bridge the host's bridge device; empty for host and none
 * @param subnet CIDR; empty for host and none
 * @param ipRange the part of the subnet containers get addresses from when they ask for none; empty for all of it
 * @param auxiliaryAddresses addresses of the subnet that are never handed out (devices outside holdfast use them)
 * @param ipv6 the IPv6 subnet of a dual-stack network, or null
 * @param dnsEnabled whether aardvark-dns answers container names here: user networks yes, the default bridge no
 */
@JsonNaming(PropertyNamingStrategies.UpperCamelCaseStrategy.class)
public record Network(
        String id,
        String name,
        String driver,
        String created,
        String bridge,
        String subnet,
        String gateway,
        String ipRange,
        Map<String, String> auxiliaryAddresses,
        boolean internal,
        boolean dnsEnabled,
        boolean predefined,
        Map<String, String> labels,
        Map<String, String> options,
        Ipv6 ipv6) {

    /** The network's IPv6 subnet (dual stack: containers get an address of each family); null without one. */
    @JsonNaming(PropertyNamingStrategies.UpperCamelCaseStrategy.class)
    public record Ipv6(String subnet, String gateway, String ipRange) {
        public Ipv6Subnet parsedSubnet() {
            return Ipv6Subnet.parse(subnet);
        }

        public Ipv6Subnet allocationRange() {
            return ipRange == null || ipRange.isEmpty() ? parsedSubnet() : Ipv6Subnet.parse(ipRange);
        }
    }

    public boolean ipv6Enabled() {
        return ipv6 != null;
    }

    public static final String DEFAULT_BRIDGE = "bridge";
    public static final String HOST = "host";
    public static final String NONE = "none";

    /** Whether containers on it get an address, a veth and the port mappings (host and none do not). */
    public boolean bridged() {
        return "bridge".equals(driver);
    }

    public Subnet parsedSubnet() {
        return Subnet.parse(subnet);
    }

    /** Where addresses are allocated from: the ip range when given, else the subnet. */
    public Subnet allocationRange() {
        return ipRange == null || ipRange.isEmpty() ? parsedSubnet() : Subnet.parse(ipRange);
    }

    public boolean isDefaultBridge() {
        return predefined && DEFAULT_BRIDGE.equals(name);
    }
}
