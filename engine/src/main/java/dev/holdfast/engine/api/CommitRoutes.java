package dev.holdfast.engine.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.holdfast.engine.container.Container;
import dev.holdfast.engine.container.ContainerControl;
import dev.holdfast.engine.container.ContainerEvents;
import dev.holdfast.engine.container.ContainerRecord;
import dev.holdfast.engine.container.ContainerStore;
import dev.holdfast.engine.events.EventBus;
import dev.holdfast.engine.image.CommitRequest;
import dev.holdfast.engine.image.ImageReference;
import dev.holdfast.engine.image.ImageStore;
import dev.holdfast.engine.image.Snapshots;
import dev.holdfast.engine.image.UpperDirTar;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** {@code POST /commit} ({@code docker commit}): a container's changes as a new image. */
public final class CommitRoutes {
    private final ContainerStore containers;
    private final ContainerControl control;
    private final ImageStore images;
    private final EventBus events;

    public CommitRoutes(ContainerStore containers, ContainerControl control, ImageStore images, EventBus events) {
        this.containers = containers;
        this.control = control;
        this.images = images;
        this.events = events;
    }

    public void register(Router router) {
        router.post("/commit", ImageRoutes.translated(this::commit));
    }

    private Reply commit(ApiRequest r) throws IOException {
        String ref = r.query("container").filter(s -> !s.isEmpty())
                .orElseThrow(() -> ApiException.badRequest("the container query parameter is required"));
        Container c = containers.get(ref);
        ImageReference tag = r.query("repo").filter(s -> !s.isEmpty())
                .map(repo -> ImageReference.parse(repo + r.query("tag").filter(t -> !t.isEmpty()).map(t -> ":" + t)
                        .orElse("")).withDefaultTag())
                .orElse(null);
        ContainerRecord record = c.record();
        ObjectNode config = Json.MAPPER.valueToTree(record.config());
        JsonNode body = r.bodyJson(JsonNode.class);
        if (body instanceof ObjectNode overrides) {
            overrides.fields().forEachRemaining(f -> {
                if (!f.getValue().isNull()) {
                    config.set(f.getKey(), f.getValue());
                }
            });
        }
        List<String> command = new ArrayList<>();
        command.add(record.path());
        command.addAll(record.args());
        CommitRequest request = new CommitRequest(c.id(), config, r.query("author").orElse(""),
                r.query("comment").orElse(""), r.queryAll("changes"), String.join(" ", command));
        boolean pause = r.query("pause").map(p -> !p.equals("0") && !p.equalsIgnoreCase("false")).orElse(true);
        boolean paused = false;
        if (pause && record.state().hasProcess() && !record.state().paused()) {
            try {
                control.pause(c);
                paused = true;
            } catch (RuntimeException e) {
                String why = String.valueOf(e.getMessage());
                if (c.record().state().hasProcess() && !why.contains("not running")) {
                    throw e;
                }
                // It exited since (its exit may not be recorded yet): a stopped container's files hold still.
            }
        }
        String id;
        try {
            id = images.commit(record.image(), UpperDirTar.of(Snapshots.upper(c.dir())), request, tag);
        } finally {
            if (paused) {
                control.unpause(c);
            }
        }
        events.publish(ContainerEvents.of(c, "commit", Map.of("comment", request.comment(), "imageID", id,
                "imageRef", tag == null ? "" : tag.familiarString())));
        return new Reply.JsonBody(HttpResponseStatus.CREATED, Map.of("Id", id));
    }
}
