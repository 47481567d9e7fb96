package dev.holdfast.engine.image;

import java.util.List;

/**
 * holdfast's own record of an image, {@code images/<hex>/image.json}: what is costly to recompute or is not part
 * of the image config. Tags are not here: {@code repositories.json} is their one source of truth.
 *
 * @param layerSizes bytes of regular files in each layer, in diffIds order (for history)
 * @param size the sum of the layer sizes
 * @param lastTagTime RFC 3339 time of the last tag given on this daemon, or null
 * @param repoDigests {@code name@sha256:...} of the manifests it was pulled by or pushed as (Docker's RepoDigests)
 * @param parent the local image it was committed on (Docker's Parent), or null
 */
record ImageRecord(String id, List<String> diffIds, List<Long> layerSizes, long size, String lastTagTime,
        List<String> repoDigests, String parent) {
    ImageRecord {
        repoDigests = repoDigests == null ? List.of() : List.copyOf(repoDigests);
    }

    ImageRecord withLastTagTime(String time) {
        return new ImageRecord(id, diffIds, layerSizes, size, time, repoDigests, parent);
    }

    ImageRecord withParent(String parentId) {
        return new ImageRecord(id, diffIds, layerSizes, size, lastTagTime, repoDigests, parentId);
    }

    ImageRecord withRepoDigest(String repoDigest) {
        if (repoDigests.contains(repoDigest)) {
            return this;
        }
        List<String> digests = new java.util.ArrayList<>(repoDigests.stream()
                .filter(d -> !d.substring(0, d.indexOf('@')).equals(repoDigest.substring(0, repoDigest.indexOf('@'))))
                .toList());
        digests.add(repoDigest);
        return new ImageRecord(id, diffIds, layerSizes, size, lastTagTime, digests, parent);
    }
}
