package dev.holdfast.engine.network;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * A container's live attachment to one bridged network: the address holdfast allocated, the interface netavark
 * made in the container's namespace, and its MAC address (known once netavark answered).
 *
 * @param ipv6Address empty on a network without IPv6
 * @param carriesPorts the published ports were set up with this network (the first one the container joined)
 */
@JsonNaming(PropertyNamingStrategies.UpperCamelCaseStrategy.class)
public record Endpoint(String networkId, String endpointId, String interfaceName, String ipAddress, int prefixLength,
        String gateway, String macAddress, boolean carriesPorts, String ipv6Address, int ipv6PrefixLength,
        String ipv6Gateway) {

    public Endpoint {
        // Attachments written before IPv6 read these as null.
        ipv6Address = ipv6Address == null ? "" : ipv6Address;
        ipv6Gateway = ipv6Gateway == null ? "" : ipv6Gateway;
    }

    public Endpoint withMacAddress(String mac) {
        return new Endpoint(networkId, endpointId, interfaceName, ipAddress, prefixLength, gateway, mac, carriesPorts,
                ipv6Address, ipv6PrefixLength, ipv6Gateway);
    }
}
