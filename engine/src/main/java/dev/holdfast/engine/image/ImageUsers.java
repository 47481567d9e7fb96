package dev.holdfast.engine.image;

import java.util.List;

/** Which containers use an image; the container store answers, so that removing an image can refuse (409). */
@FunctionalInterface
public interface ImageUsers {
    /** Ids of the containers (running or not) created from {@code imageId} ({@code sha256:<hex>}). */
    List<String> containersUsing(String imageId);

    /**
     * The running ones among them: a forced removal still refuses to delete an image a running container uses
     * (it only untags). Until the container store says otherwise every user counts as running, the safe side.
     */
    default List<String> runningContainersUsing(String imageId) {
        return containersUsing(imageId);
    }
}
