package dev.holdfast.engine.network;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything networking keeps about one container, in {@code <data>/network/containers/<id>.json}, written
 * atomically before the kernel is touched: an address or port is recorded as taken before any namespace uses it,
 * so a crash at any point can hand nothing out twice, and the next boot can undo what it finds.
 *
 * @param networks the networks the container is attached to (by network id), in the order it joined them, with
 *     what it asked for on each
 * @param endpoints the live endpoints while the container runs (by network id); empty when stopped
 * @param ports the live published ports; empty when stopped
 * @param namespace the bind-mounted network namespace file while the container runs, else empty
 */
@JsonNaming(PropertyNamingStrategies.UpperCamelCaseStrategy.class)
public record Attachment(
        String containerId,
        Map<String, EndpointSettings> networks,
        Map<String, Endpoint> endpoints,
        List<PortMapping> ports,
        String namespace) {

    public static Attachment of(String containerId, Map<String, EndpointSettings> networks) {
        return new Attachment(containerId, new LinkedHashMap<>(networks), Map.of(), List.of(), "");
    }

    public boolean live() {
        return !endpoints.isEmpty() || !ports.isEmpty() || !namespace.isEmpty();
    }

    public Attachment stopped() {
        return new Attachment(containerId, networks, Map.of(), List.of(), "");
    }

    public Attachment withNetworks(Map<String, EndpointSettings> newNetworks) {
        return new Attachment(containerId, new LinkedHashMap<>(newNetworks), endpoints, ports, namespace);
    }

    public Attachment withLive(Map<String, Endpoint> newEndpoints, List<PortMapping> newPorts, String newNamespace) {
        return new Attachment(containerId, networks, new LinkedHashMap<>(newEndpoints), List.copyOf(newPorts),
                newNamespace);
    }
}
