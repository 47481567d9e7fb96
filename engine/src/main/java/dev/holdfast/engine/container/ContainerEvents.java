package dev.holdfast.engine.container;

import dev.holdfast.engine.events.Event;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** Docker's container events: each carries the container's labels, its image and its name, then its own extras. */
public final class ContainerEvents {
    private ContainerEvents() {}

    public static Event of(Container c, String action, Map<String, String> extra) {
        return of(c, action, extra, Instant.now());
    }

    /** An event that happened at {@code time}, earlier than it is published (an exit learned late). */
    public static Event of(Container c, String action, Map<String, String> extra, Instant time) {
        ContainerRecord r = c.record();
        Map<String, String> attributes = new LinkedHashMap<>();
        if (r.config().labels() != null) {
            attributes.putAll(r.config().labels());
        }
        attributes.put("image", r.config().image());
        attributes.put("name", r.shortName());
        attributes.putAll(extra);
        return new Event("container", action, c.id(), attributes, time);
    }
}
