package dev.holdfast.engine.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.holdfast.engine.container.Container;
import dev.holdfast.engine.container.ContainerControl;
import dev.holdfast.engine.container.ContainerStore;
import dev.holdfast.engine.container.CreateFields;
import dev.holdfast.engine.container.HostConfig;
import dev.holdfast.engine.stats.ProcessTable;
import dev.holdfast.engine.stats.InterfaceCounters;
import dev.holdfast.engine.stats.StatsView;
import dev.holdfast.engine.time.Timestamps;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** pause, unpause, top, stats and update of {@code /containers/{id}/...}. */
public final class ContainerControlRoutes {
    private static final ObjectMapper LENIENT = Json.MAPPER.copy()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private final ContainerStore store;
    private final ContainerControl control;

    public ContainerControlRoutes(ContainerStore store, ContainerControl control) {
        this.store = store;
        this.control = control;
    }

    public void register(Router router) {
        router.post("/containers/{id}/pause", r -> {
            control.pause(container(r));
            return Reply.noContent();
        });
        router.post("/containers/{id}/unpause", r -> {
            control.unpause(container(r));
            return Reply.noContent();
        });
        router.get("/containers/{id}/top", this::top);
        router.get("/containers/{id}/stats", this::stats);
        router.post("/containers/{id}/update", this::update);
    }

    private Container container(ApiRequest r) {
        return store.get(r.pathParam("id"));
    }

    private Reply top(ApiRequest r) {
        Container c = container(r);
        List<Integer> pids = control.pids(c);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("Titles", ProcessTable.TITLES);
        body.put("Processes", ProcessTable.host().rows(pids));
        return Reply.ok(body);
    }

    private Reply stats(ApiRequest r) throws IOException, InterruptedException {
        Container c = container(r);
        boolean stream = r.query("stream").map(v -> !v.equals("0") && !v.equalsIgnoreCase("false")).orElse(true);
        boolean oneShot = r.queryBool("one-shot");
        String name = "/" + c.record().shortName();
        if (!stream) {
            StatsView.Sample now = sample(c);
            StatsView.Sample before = null;
            if (!oneShot && now != null) {
                // Like dockerd, a single answer carries the sample of a second before as precpu_stats.
                TimeUnit.SECONDS.sleep(1);
                before = now;
                now = sample(c);
            }
            return Reply.ok(now == null ? empty(c, name) : StatsView.of(c.id(), name, now, before));
        }
        ResponseStream out = r.openStream("application/json");
        StatsView.Sample before = null;
        while (out.isOpen()) {
            StatsView.Sample now = sample(c);
            Object body = now == null ? empty(c, name) : StatsView.of(c.id(), name, now, before);
            try {
                out.write(Json.MAPPER.writeValueAsBytes(body));
                out.write("\n".getBytes(StandardCharsets.UTF_8));
                out.flush();
            } catch (IOException e) {
                break;
            }
            before = now;
            TimeUnit.SECONDS.sleep(1);
        }
        out.close();
        return Reply.streamed();
    }

    /** Null when the container has no process (Docker then answers zeros). */
    private StatsView.Sample sample(Container c) throws IOException {
        if (!c.record().state().hasProcess()) {
            return null;
        }
        try {
            byte[] raw = control.tasks().stats(c.id());
            JsonNode runc = Json.MAPPER.readTree(raw);
            return new StatsView.Sample(runc, Timestamps.format(Instant.now()), StatsView.systemCpuNanos(),
                    InterfaceCounters.of(c.record().state().pid()));
        } catch (RuntimeException e) {
            if (!c.record().state().hasProcess()) {
                return null;
            }
            throw e;
        }
    }

    private static Map<String, Object> empty(Container c, String name) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("read", "0001-01-01T00:00:00Z");
        body.put("preread", "0001-01-01T00:00:00Z");
        body.put("pids_stats", Map.of());
        body.put("blkio_stats", Map.of());
        body.put("cpu_stats", Map.of("cpu_usage", Map.of("total_usage", 0), "throttling_data", Map.of()));
        body.put("precpu_stats", Map.of("cpu_usage", Map.of("total_usage", 0), "throttling_data", Map.of()));
        body.put("memory_stats", Map.of());
        body.put("name", name);
        body.put("id", c.id());
        return body;
    }

    private Reply update(ApiRequest r) {
        Container c = container(r);
        HostConfig asked;
        try {
            JsonNode body = r.bodyJson(JsonNode.class);
            if (body != null) {
                CreateFields.refuseUnsupportedUpdate(body, ContainerControl.UPDATABLE);
            }
            asked = LENIENT.treeToValue(body, HostConfig.class);
        } catch (JsonProcessingException e) {
            throw ApiException.badRequest("invalid update body: " + Json.describe(e, ""));
        }
        control.update(c, asked);
        return Reply.ok(Map.of("Warnings", new ArrayList<String>()));
    }
}
