package dev.holdfast.engine.api;

import dev.holdfast.engine.events.Event;
import dev.holdfast.engine.events.EventBus;
import dev.holdfast.engine.time.Timestamps;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * {@code GET /events}: the past from {@code since} (journaled, so across engine restarts) in time order, then live
 * events until {@code until} or disconnect.
 */
public final class EventRoutes {
    private static final Set<String> DETAILED_ACTIONS = Set.of("health_status", "exec_create", "exec_start");
    private static final Set<String> FILTER_KEYS = Set.of("type", "event", "container", "image", "label", "volume",
            "network");
    private static final long POLL_MILLIS = 200;

    private final EventBus bus;

    public EventRoutes(EventBus bus) {
        this.bus = bus;
    }

    public void register(Router router) {
        router.get("/events", this::events);
    }

    private Reply events(ApiRequest r) throws IOException, InterruptedException {
        Filters filters = Filters.parse(r.query("filters"), FILTER_KEYS);
        Predicate<Event> filter = matching(filters);
        Instant since = time(r, "since");
        Instant until = time(r, "until");
        ResponseStream out = r.openStream("application/json");
        if (until != null && !until.isAfter(Instant.now())) {
            for (Event event : bus.between(since, until, filter)) {
                write(out, event);
            }
            out.close();
            return Reply.streamed();
        }
        try (EventBus.Subscription subscription = bus.subscribe(since, filter)) {
            // The replay of the past is written whole, even when until passes while it is read and written.
            while (out.isOpen() && (subscription.replaying() || until == null || Instant.now().isBefore(until))) {
                Event event = subscription.poll(POLL_MILLIS);
                if (event != null && (until == null || !event.time().isAfter(until))) {
                    write(out, event);
                }
            }
        }
        out.close();
        return Reply.streamed();
    }

    private static void write(ResponseStream out, Event event) throws IOException {
        out.write(Json.MAPPER.writeValueAsBytes(event.toJson()));
        out.write("\n".getBytes(StandardCharsets.UTF_8));
    }

    /** type, event (the action), container (id or name), image, volume, network, label (key or key=value). */
    static Predicate<Event> matching(Filters filters) {
        return event -> (!filters.has("type") || filters.get("type").contains(event.type()))
                && (!filters.has("event") || actionMatches(filters.get("event"), event.action()))
                && (!filters.has("container") || event.type().equals("container") && anyOf(filters.get("container"),
                        event.actorId(), event.attributes().get("name")))
                && (!filters.has("image") || anyOf(filters.get("image"), event.attributes().get("image"),
                        event.type().equals("image") ? event.actorId() : null))
                && (!filters.has("volume") || event.type().equals("volume")
                        && filters.get("volume").contains(event.actorId()))
                && (!filters.has("network") || event.type().equals("network") && anyOf(filters.get("network"),
                        event.actorId(), event.attributes().get("name")))
                && filters.labelsMatch(event.attributes());
    }

    /**
     * dockerd's rule: the actions that carry a detail after a colon ("health_status: healthy", "exec_start: sh -c
     * true") are matched by their prefix when the filter names one of them bare; otherwise actions match exactly.
     */
    private static boolean actionMatches(List<String> wanted, String action) {
        boolean byPrefix = wanted.stream().anyMatch(DETAILED_ACTIONS::contains);
        return wanted.stream().anyMatch(w -> action.equals(w) || byPrefix && action.startsWith(w));
    }

    private static boolean anyOf(List<String> wanted, String id, String name) {
        return wanted.stream().anyMatch(w -> (id != null && (id.equals(w) || id.startsWith(w))) || w.equals(name));
    }

    private static Instant time(ApiRequest r, String name) {
        try {
            return r.query(name).filter(v -> !v.isEmpty()).map(Timestamps::parseSinceUntil).orElse(null);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(name + ": " + e.getMessage());
        }
    }
}
