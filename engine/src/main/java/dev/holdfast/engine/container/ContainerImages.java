package dev.holdfast.engine.container;

import dev.holdfast.engine.api.ApiException;
import dev.holdfast.engine.image.Image;
import dev.holdfast.engine.image.ImageException;
import dev.holdfast.engine.image.ImageStore;
import dev.holdfast.engine.image.Snapshots;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/** What containers need from the image side: resolve a reference, copy its root filesystem, remove a copy. */
public interface ContainerImages {
    /** The image {@code ref} names; Docker's 404 {@code No such image: busybox:latest}, or 400 for a bad ref. */
    Image resolve(String ref);

    /** The id of the image {@code ref} names, if any (the {@code ancestor} filter). */
    Optional<String> idOf(String ref);

    /** Creates {@code target} as the container's writable copy of the image's root filesystem. */
    void prepareRootfs(Image image, Path target) throws IOException;

    void removeRootfs(Path rootfs) throws IOException;

    /**
     * Docker's {@code SizeRw}: the bytes the container wrote into {@code rootfs}, a copy of image {@code imageId}'s.
     * Without the image (or by default) every file counts.
     */
    default long writableSize(String imageId, Path rootfs) throws IOException {
        return Snapshots.changedBytes(null, rootfs);
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
            public void prepareRootfs(Image image, Path target) throws IOException {
                Snapshots.prepare(store.rootfs(image), target);
            }

            @Override
            public void removeRootfs(Path rootfs) throws IOException {
                Snapshots.remove(rootfs);
            }

            @Override
            public long writableSize(String imageId, Path rootfs) throws IOException {
                Optional<Image> image = store.find(imageId);
                return image.isPresent() ? Snapshots.changedBytes(store.rootfs(image.get()), rootfs)
                        : ContainerImages.super.writableSize(imageId, rootfs);
            }
        };
    }
}
