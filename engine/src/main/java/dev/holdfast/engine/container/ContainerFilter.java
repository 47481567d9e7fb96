package dev.holdfast.engine.container;

import dev.holdfast.engine.api.ApiException;
import dev.holdfast.engine.api.Filters;
import dev.holdfast.engine.errdefs.DomainException;
import dev.holdfast.engine.health.HealthState;
import dev.holdfast.engine.time.Timestamps;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;

/** The filters of {@code docker ps}: id, name, status, label, ancestor, exited, before, since, network, health. */
public final class ContainerFilter implements Predicate<Container> {
    public static final Set<String> KEYS = Set.of("id", "name", "status", "label", "ancestor", "exited", "before", "since",
            "network", "health");
    private static final Set<String> STATUSES = Set.of("created", "restarting", "running", "removing", "paused",
            "exited", "dead");

    private final Filters filters;
    private final Function<String, Optional<String>> imageIdOf;
    private final Function<Container, Map<String, String>> networksOf;
    private final Instant before;
    private final Instant since;

    /**
     * @param imageIdOf resolves an {@code ancestor} reference to an image id
     * @param containerCreated resolves a {@code before}/{@code since} container reference to its creation time
     * @param networksOf the networks a container is on: name to id
     */
    public ContainerFilter(Filters filters, Function<String, Optional<String>> imageIdOf,
            Function<String, Instant> containerCreated, Function<Container, Map<String, String>> networksOf) {
        this.filters = filters;
        this.imageIdOf = imageIdOf;
        this.networksOf = networksOf;
        for (String status : filters.get("status")) {
            if (!STATUSES.contains(status)) {
                throw ApiException.badRequest("invalid filter 'status=" + status + "'");
            }
        }
        for (String health : filters.get("health")) {
            if (!HealthState.FILTER_VALUES.contains(health)) {
                throw DomainException.invalidParameter("Unrecognised filter value for health: " + health);
            }
        }
        for (String code : filters.get("exited")) {
            if (!code.matches("-?\\d{1,9}")) {
                throw ApiException.badRequest("invalid filter 'exited=" + code + "'");
            }
        }
        this.before = filters.has("before") ? containerCreated.apply(filters.get("before").get(0)) : null;
        this.since = filters.has("since") ? containerCreated.apply(filters.get("since").get(0)) : null;
    }

    /** Status and exit-code filters are about stopped containers too: they list as if {@code --all} was given. */
    public boolean impliesAll() {
        return filters.has("status") || filters.has("exited");
    }

    @Override
    public boolean test(Container c) {
        ContainerRecord r = c.record();
        ContainerState state = r.state();
        Instant created = Timestamps.parse(r.created());
        return filters.matchesAny("id", r.id())
                && (filters.matchesAny("name", r.name()) || filters.matchesAny("name", r.shortName()))
                && (!filters.has("status") || filters.get("status").contains(state.status()))
                && (!filters.has("exited") || (state.status().equals("exited")
                        && filters.get("exited").contains(String.valueOf(state.exitCode()))))
                && filters.labelsMatch(r.config().labels())
                && (!filters.has("ancestor") || filters.get("ancestor").stream().anyMatch(a -> isAncestor(a, r)))
                && (before == null || created.isBefore(before))
                && (since == null || created.isAfter(since))
                && (!filters.has("network") || onNetwork(c))
                && (!filters.has("health") || filters.get("health").contains(HealthState.filterValue(state.health())));
    }

    /** A network by name, or by id or a prefix of it, as dockerd matches it. */
    private boolean onNetwork(Container c) {
        Map<String, String> networks = networksOf.apply(c);
        return filters.get("network").stream().anyMatch(wanted -> networks.containsKey(wanted)
                || networks.values().stream().anyMatch(id -> id.startsWith(wanted)));
    }

    private boolean isAncestor(String ref, ContainerRecord r) {
        return ref.equals(r.config().image()) || imageIdOf.apply(ref).map(r.image()::equals).orElse(false);
    }
}
