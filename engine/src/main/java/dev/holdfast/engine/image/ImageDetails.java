package dev.holdfast.engine.image;

import java.util.List;

/**
 * What inspect and history show beyond {@link Image}: the parsed config document and local metadata.
 *
 * @param layerSizes bytes of each layer, in {@code document.diffIds()} order
 * @param lastTagTime RFC 3339 time of the last {@code docker tag} on this daemon, or null
 */
public record ImageDetails(Image image, ImageDocument document, List<Long> layerSizes, String lastTagTime,
        String parent) {}
