package dev.holdfast.engine.image;

import java.util.List;

/**
 * holdfast's own record of an image, {@code images/<hex>/image.json}: what is costly to recompute or is not part
 * of the image config. Tags are not here: {@code repositories.json} is their one source of truth.
 *
 * @param layerSizes bytes of regular files in each layer, in diffIds order (for history)
 * @param size the sum of the layer sizes
 * @param lastTagTime RFC 3339 time of the last tag given on this daemon, or null
 */
record ImageRecord(String id, List<String> diffIds, List<Long> layerSizes, long size, String lastTagTime) {
    ImageRecord withLastTagTime(String time) {
        return new ImageRecord(id, diffIds, layerSizes, size, time);
    }
}
