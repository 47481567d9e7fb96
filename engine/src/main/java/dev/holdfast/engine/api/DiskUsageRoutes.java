package dev.holdfast.engine.api;

import dev.holdfast.engine.container.Container;
import dev.holdfast.engine.container.ContainerService;
import dev.holdfast.engine.container.ContainerViews;
import dev.holdfast.engine.image.Image;
import dev.holdfast.engine.image.ImageStore;
import dev.holdfast.engine.volume.VolumeService;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@code GET /system/df} ({@code docker system df}): images, containers and volumes with their sizes. */
public final class DiskUsageRoutes {
    private static final Set<String> TYPES = Set.of("container", "image", "volume", "build-cache");

    private final ImageStore images;
    private final ContainerService containers;
    private final VolumeService volumes;

    public DiskUsageRoutes(ImageStore images, ContainerService containers, VolumeService volumes) {
        this.images = images;
        this.containers = containers;
        this.volumes = volumes;
    }

    public void register(Router router) {
        router.get("/system/df", this::diskUsage);
    }

    private Reply diskUsage(ApiRequest r) {
        List<String> types = r.queryAll("type");
        for (String type : types) {
            if (!TYPES.contains(type)) {
                throw ApiException.badRequest("unknown object type: " + type);
            }
        }
        boolean all = types.isEmpty();
        Map<String, Object> body = new LinkedHashMap<>();
        if (all || types.contains("image")) {
            long layers = 0;
            List<Map<String, Object>> list = new ArrayList<>();
            for (Image image : images.list()) {
                layers += image.size();
                Map<String, Object> summary = new LinkedHashMap<>();
                summary.put("Containers", containers.store().containersUsing(image.id(), false).size());
                summary.put("Created", image.created().getEpochSecond());
                summary.put("Id", image.id());
                summary.put("Labels", image.config().labels().isEmpty() ? null : image.config().labels());
                summary.put("ParentId", "");
                summary.put("RepoDigests", image.repoDigests());
                summary.put("RepoTags", image.repoTags());
                summary.put("SharedSize", 0);
                summary.put("Size", image.size());
                list.add(summary);
            }
            body.put("LayersSize", layers);
            body.put("Images", list);
        }
        if (all || types.contains("container")) {
            Instant now = Instant.now();
            List<Map<String, Object>> list = new ArrayList<>();
            for (Container c : containers.store().all()) {
                list.add(ContainerViews.summary(c, now, ContainerViews.sizes(c, containers.images()),
                        containers.networking(), containers.volumes()));
            }
            body.put("Containers", list);
        }
        if (all || types.contains("volume")) {
            body.put("Volumes", volumes.store().all().stream().map(v -> volumes.view(v, true)).toList());
        }
        if (all || types.contains("build-cache")) {
            body.put("BuildCache", List.of());
        }
        return Reply.ok(body);
    }
}
