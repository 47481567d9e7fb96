package dev.holdfast.engine.network;

import dev.holdfast.engine.events.Event;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** Docker's network events: create and destroy of a network; connect and disconnect of a container to it. */
final class NetworkEvents {
    private NetworkEvents() {}

    /** @param containerId the container of a connect or disconnect, else null */
    static Event of(Network n, String action, String containerId) {
        Map<String, String> attributes = new LinkedHashMap<>();
        if (containerId != null) {
            attributes.put("container", containerId);
        }
        attributes.put("name", n.name());
        attributes.put("type", n.driver());
        return new Event("network", action, n.id(), attributes, Instant.now());
    }
}
