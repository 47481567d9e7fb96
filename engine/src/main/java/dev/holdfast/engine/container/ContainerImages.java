package dev.holdfast.engine.container;

import dev.holdfast.engine.api.ApiException;
import dev.holdfast.engine.image.Image;
import dev.holdfast.engine.image.ImageException;
import dev.holdfast.engine.image.ImageStore;
import dev.holdfast.engine.image.SnapshotChanges;
import dev.holdfast.engine.image.Snapshots;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * What containers need from the image side: resolve a reference, and the container's root filesystem, an overlay
 * snapshot of the image's ({@link Snapshots}) in the container's directory, mounted at {@code DIR/rootfs}.
 */
public interface ContainerImages {
    /** The image {@code ref} names; Docker's 404 {@code No such image: busybox:latest}, or 400 for a bad ref. */
    Image resolve(String ref);

    /** The id of the image {@code ref} names, if any (the {@code ancestor} filter). */
    Optional<String> idOf(String ref);

    /** Creates the snapshot of the image's root filesystem in {@code containerDir} and mounts it at its rootfs. */
    void prepareRootfs(Image image, Path containerDir) throws IOException;

    /**
     * Mounts the snapshot of a container made from image {@code imageId} again if it is not mounted (host reboot,
     * crash); leaves a mounted one alone. Before a start, and at boot for running containers.
     */
    default void mountRootfs(String imageId, Path containerDir) throws IOException {}

    /** Unmounts and deletes the snapshot in {@code containerDir}; absent is fine. */
    void removeRootfs(String imageId, Path containerDir) throws IOException;

    /**
     * Unmounts the snapshot of a container being removed, whose directory is then deleted as a whole; absent is
     * fine. Nothing to unmount by default.
     */
    default void unmountRootfs(String imageId, Path containerDir) throws IOException {}

    /** After a removed container's record is gone: what only it kept (a removed image's retained layers) may go. */
    default void containerRemoved(String imageId) throws IOException {}

    /** Docker's {@code SizeRw}: the bytes the container wrote (its upper directory). */
    default long writableSize(Path containerDir) throws IOException {
        return Snapshots.changedBytes(containerDir);
    }

    /** {@code docker diff}: what the container changed against its image. */
    default List<SnapshotChanges.Change> changes(String imageId, Path containerDir) throws IOException {
        return List.of();
    }

    /** Docker's {@code SizeRootFs}: the image's size plus {@link #writableSize}. */
    default long rootfsSize(String imageId, Path containerDir) throws IOException {
        return writableSize(containerDir);
    }

    static ContainerImages of(ImageStore store) {
        return new ContainerImages() {
            @Override
            public Image resolve(String ref) {
                try {
                    return store.get(ref);
                } catch (ImageException e) {
                    throw new ApiException(e.kind() == ImageException.Kind.NOT_FOUND
                            ? HttpResponseStatus.NOT_FOUND : HttpResponseStatus.BAD_REQUEST, e.getMessage());
                }
            }

            @Override
            public Optional<String> idOf(String ref) {
                return store.find(ref).map(Image::id);
            }

            @Override
            public void prepareRootfs(Image image, Path containerDir) throws IOException {
                Snapshots.prepare(store.layerDirs(image), containerDir);
            }

            @Override
            public void mountRootfs(String imageId, Path containerDir) throws IOException {
                List<Path> lowers = store.layerDirsForContainers(imageId).orElseThrow(() -> new IOException(
                        "the layers of image " + imageId + " are gone, so the snapshot in " + containerDir
                                + " cannot be mounted"));
                Snapshots.ensureMounted(lowers, containerDir);
            }

            @Override
            public void removeRootfs(String imageId, Path containerDir) throws IOException {
                Snapshots.remove(containerDir);
            }

            @Override
            public void unmountRootfs(String imageId, Path containerDir) throws IOException {
                Snapshots.unmountForGood(containerDir);
            }

            @Override
            public void containerRemoved(String imageId) throws IOException {
                store.releaseRetained(imageId);
            }

            @Override
            public List<SnapshotChanges.Change> changes(String imageId, Path containerDir) throws IOException {
                List<Path> lowers = store.layerDirsForContainers(imageId).orElseThrow(() -> new IOException(
                        "the layers of image " + imageId + " are gone"));
                return SnapshotChanges.of(lowers, Snapshots.upper(containerDir));
            }

            @Override
            public long rootfsSize(String imageId, Path containerDir) throws IOException {
                return store.find(imageId).map(Image::size).orElse(0L) + writableSize(containerDir);
            }
        };
    }
}
