package dev.holdfast.engine.image;

import java.time.Instant;
import java.util.List;

/**
 * An image as the rest of the engine sees it.
 *
 * @param id {@code sha256:<64 hex>}, the sha256 of the image config JSON bytes
 * @param repoTags e.g. {@code busybox:latest}; empty for a dangling image
 * @param size bytes of the unpacked root filesystem
 * @param repoDigests {@code name@sha256:...} of the registry manifests it is known by
 */
public record Image(String id, List<String> repoTags, Instant created, ImageConfig config, long size,
        List<String> repoDigests) {}
