package dev.holdfast.engine.network;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * A container's live attachment to one bridged network: the address holdfast allocated, the interface netavark
 * made in the container's namespace, and its MAC address (known once netavark answered).
 *
 * @param carriesPorts the published ports were set up with this network (the first one the container joined)
 */
@JsonNaming(PropertyNamingStrategies.UpperCamelCaseStrategy.class)
public record Endpoint(String networkId, String endpointId, String interfaceName, String ipAddress, int prefixLength,
        String gateway, String macAddress, boolean carriesPorts) {

    public Endpoint withMacAddress(String mac) {
        return new Endpoint(networkId, endpointId, interfaceName, ipAddress, prefixLength, gateway, mac, carriesPorts);
    }
}
