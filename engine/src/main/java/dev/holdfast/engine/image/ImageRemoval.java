package dev.holdfast.engine.image;

import java.util.List;

/**
 * What removing an image did, in Docker's order: the references it untagged, then the image it deleted.
 *
 * @param deleted {@code sha256:<hex>}, or null when the image stays (other tags, or a container still uses it)
 */
public record ImageRemoval(List<String> untagged, String deleted) {}
