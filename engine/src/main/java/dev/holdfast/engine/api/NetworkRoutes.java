package dev.holdfast.engine.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.holdfast.engine.container.NetworkingConfig;
import dev.holdfast.engine.network.Network;
import dev.holdfast.engine.network.NetworkCreateRequest;
import dev.holdfast.engine.network.NetworkService;
import dev.holdfast.engine.time.Timestamps;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/** {@code /networks/...}: list, inspect, create, remove, prune, connect and disconnect. */
public final class NetworkRoutes {
    private static final Set<String> LIST_FILTERS = Set.of("name", "id", "label", "driver", "type", "scope", "dangling");
    private static final Set<String> PRUNE_FILTERS = Set.of("until", "label", "label!");

    private final NetworkService service;

    public NetworkRoutes(NetworkService service) {
        this.service = service;
    }

    public void register(Router router) {
        router.get("/networks", this::list);
        router.get("/networks/{id}", r -> Reply.ok(service.inspect(service.store().get(r.pathParam("id")))));
        router.post("/networks/create", this::create);
        router.delete("/networks/{id}", r -> {
            service.remove(r.pathParam("id"));
            return Reply.noContent();
        });
        router.post("/networks/prune", this::prune);
        router.post("/networks/{id}/connect", r -> {
            JsonNode body = r.bodyJson(JsonNode.class);
            String container = requiredContainer(body);
            service.connect(r.pathParam("id"), container, endpointConfig(body));
            return Reply.ok(null);
        });
        router.post("/networks/{id}/disconnect", r -> {
            service.disconnect(r.pathParam("id"), requiredContainer(r.bodyJson(JsonNode.class)));
            return Reply.ok(null);
        });
    }

    /** The body's {@code EndpointConfig}, if any; one of the wrong shape is a 400 naming the problem. */
    private static NetworkingConfig.EndpointConfig endpointConfig(JsonNode body) {
        if (!body.hasNonNull("EndpointConfig")) {
            return null;
        }
        try {
            return Json.MAPPER.treeToValue(body.get("EndpointConfig"), NetworkingConfig.EndpointConfig.class);
        } catch (JsonProcessingException e) {
            throw ApiException.badRequest("invalid EndpointConfig: " + Json.describe(e, "EndpointConfig"));
        }
    }

    private static String requiredContainer(JsonNode body) {
        String container = body == null ? "" : body.path("Container").asText("");
        if (container.isEmpty()) {
            throw ApiException.badRequest("Container is required");
        }
        return container;
    }

    private Reply list(ApiRequest r) {
        Filters filters = Filters.parse(r.query("filters"), LIST_FILTERS);
        return Reply.ok(service.store().all().stream()
                .filter(n -> listed(filters, n))
                .sorted(Comparator.comparing(Network::name))
                .map(service::inspect)
                .toList());
    }

    private static boolean listed(Filters f, Network n) {
        return f.matchesAny("name", n.name())
                && (!f.has("id") || f.get("id").stream().anyMatch(n.id()::startsWith))
                && f.labelsMatch(n.labels())
                && (!f.has("driver") || f.get("driver").contains(n.driver()))
                && (!f.has("scope") || f.get("scope").contains("local"))
                && (!f.has("type") || f.get("type").contains(n.predefined() ? "builtin" : "custom"));
    }

    private Reply create(ApiRequest r) {
        JsonNode body = r.bodyJson(JsonNode.class);
        if (body == null || !body.isObject()) {
            throw ApiException.badRequest("invalid JSON in request body: expected an object");
        }
        NetworkCreateRequest request;
        try {
            request = Json.MAPPER.treeToValue(body, NetworkCreateRequest.class);
        } catch (JsonProcessingException e) {
            throw ApiException.badRequest("invalid network configuration: " + Json.describe(e, ""));
        }
        // dockerd before API 1.44 made a second network of the same name when asked with CheckDuplicate: false;
        // clients that still send it (docker-py 5) rely on that. Newer clients never send it.
        Network n = service.create(request, Boolean.FALSE.equals(request.checkDuplicate()));
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("Id", n.id());
        answer.put("Warning", "");
        return Reply.created(answer);
    }

    private Reply prune(ApiRequest r) {
        Filters filters = Filters.parse(r.query("filters"), PRUNE_FILTERS);
        Instant until = filters.has("until") ? Timestamps.parseSinceUntil(filters.get("until").get(0)) : null;
        Predicate<Network> which = n -> filters.pruneLabelsMatch(n.labels())
                && (until == null || Instant.parse(n.created()).isBefore(until));
        List<String> removed = service.prune(which);
        return Reply.ok(Map.of("NetworksDeleted", removed));
    }
}
