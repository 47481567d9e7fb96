package dev.holdfast.engine.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.holdfast.engine.volume.Volume;
import dev.holdfast.engine.volume.VolumeService;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@code /volumes/...}: list, inspect, create, remove, prune. */
public final class VolumeRoutes {
    private static final Set<String> LIST_FILTERS = Set.of("dangling", "name", "label", "driver");
    private static final Set<String> PRUNE_FILTERS = Set.of("label", "label!", "all");

    private final VolumeService service;

    public VolumeRoutes(VolumeService service) {
        this.service = service;
    }

    public void register(Router router) {
        router.get("/volumes", this::list);
        router.get("/volumes/{name}", r -> Reply.ok(service.view(service.get(r.pathParam("name")), false)));
        router.post("/volumes/create", this::create);
        router.delete("/volumes/{name}", r -> {
            service.remove(r.pathParam("name"), r.queryBool("force"));
            return Reply.noContent();
        });
        router.post("/volumes/prune", this::prune);
    }

    private Reply list(ApiRequest r) {
        Filters f = Filters.parse(r.query("filters"), LIST_FILTERS);
        List<Map<String, Object>> volumes = service.store().all().stream()
                .filter(v -> f.matchesAny("name", v.name()))
                .filter(v -> f.labelsMatch(v.labels()))
                .filter(v -> !f.has("driver") || f.get("driver").contains(v.driver()))
                .filter(v -> !f.has("dangling") || dangling(f).contains(service.users(v.name()).isEmpty()))
                .sorted(Comparator.comparing(Volume::name))
                .map(v -> service.view(v, false))
                .toList();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("Volumes", volumes);
        body.put("Warnings", List.of());
        return Reply.ok(body);
    }

    /** {@code dangling=true|1}: volumes no container uses; {@code false|0}: those in use. */
    private static Set<Boolean> dangling(Filters f) {
        Set<Boolean> wanted = new java.util.HashSet<>();
        for (String value : f.get("dangling")) {
            switch (value) {
                case "true", "1" -> wanted.add(true);
                case "false", "0" -> wanted.add(false);
                default -> throw ApiException.badRequest("invalid filter 'dangling=" + value + "'");
            }
        }
        return wanted;
    }

    private Reply create(ApiRequest r) {
        JsonNode body = r.bodyJson(JsonNode.class);
        if (body != null && !body.isNull() && !body.isObject()) {
            throw ApiException.badRequest("invalid JSON in request body: expected an object");
        }
        JsonNode b = body == null || body.isNull() ? Json.MAPPER.createObjectNode() : body;
        Volume v = service.create(b.path("Name").asText(""), b.path("Driver").asText(""),
                strings(b.path("DriverOpts")), strings(b.path("Labels")));
        return Reply.created(service.view(v, false));
    }

    private static Map<String, String> strings(JsonNode node) {
        Map<String, String> map = new LinkedHashMap<>();
        if (node.isObject()) {
            node.properties().forEach(e -> map.put(e.getKey(), e.getValue().asText()));
        }
        return map;
    }

    /** API 1.42 made prune take anonymous volumes only, unless {@code all=true}; before, every unused one. */
    private Reply prune(ApiRequest r) {
        Filters f = Filters.parse(r.query("filters"), PRUNE_FILTERS);
        boolean all = !r.version().atLeast(1, 42) || f.get("all").contains("true") || f.get("all").contains("1");
        Map<String, Long> sizes = new LinkedHashMap<>();
        List<String> removed = service.prune(v -> {
            boolean matches = (all || v.anonymous()) && f.pruneLabelsMatch(v.labels());
            if (matches) {
                sizes.put(v.name(), service.size(v));
            }
            return matches;
        });
        long reclaimed = removed.stream().mapToLong(n -> Math.max(0, sizes.getOrDefault(n, 0L))).sum();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("VolumesDeleted", removed);
        body.put("SpaceReclaimed", reclaimed);
        return Reply.ok(body);
    }
}
