package dev.holdfast.engine.network;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;
import java.util.Map;

/**
 * One container's wish for one network, as asked at create or connect: Docker's {@code EndpointSettings}, the part
 * that is configuration (the addresses it got live in {@link Endpoint}).
 *
 * @param ipv4Address the static address ({@code --ip}); empty for one from the network's range
 * @param ipv6Address the static IPv6 address ({@code --ip6}) on a dual-stack network, else empty
 * @param linkLocalIps extra link-local addresses of the interface
 * @param links legacy links on this network, {@code container:alias}: the container answers to the alias here
 * @param driverOpts kept and shown as given: like dockerd's bridge driver, none of them changes the endpoint
 */
@JsonNaming(PropertyNamingStrategies.UpperCamelCaseStrategy.class)
public record EndpointSettings(List<String> aliases, String ipv4Address, String macAddress, List<String> linkLocalIps,
        List<String> links, Map<String, String> driverOpts, String ipv6Address) {

    public EndpointSettings {
        // Attachments written before a field existed read it as null.
        aliases = aliases == null ? List.of() : List.copyOf(aliases);
        ipv4Address = ipv4Address == null ? "" : ipv4Address;
        macAddress = macAddress == null ? "" : macAddress;
        linkLocalIps = linkLocalIps == null ? List.of() : List.copyOf(linkLocalIps);
        links = links == null ? List.of() : List.copyOf(links);
        driverOpts = driverOpts == null ? Map.of() : Map.copyOf(driverOpts);
        ipv6Address = ipv6Address == null ? "" : ipv6Address;
    }

    public EndpointSettings withLinks(List<String> newLinks) {
        return new EndpointSettings(aliases, ipv4Address, macAddress, linkLocalIps, newLinks, driverOpts, ipv6Address);
    }

    public static EndpointSettings none() {
        return new EndpointSettings(List.of(), "", "", List.of(), List.of(), Map.of(), "");
    }
}
