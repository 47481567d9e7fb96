package dev.holdfast.engine.container;

import java.nio.file.Path;
import java.util.List;

/**
 * Volumes and binds as the container lifecycle sees them (implemented by the {@code volume} package): the create
 * path asks for the container's mount points once, the start path reads them, removal gives them back.
 */
public interface ContainerVolumes {
    /**
     * Resolves {@code HostConfig.Binds} and the volumes of the image and config into mount points, making the named
     * volumes that do not exist yet and the anonymous ones (filled from {@code rootfs} where the image has content),
     * and records them. A bad request throws and leaves nothing behind.
     */
    List<MountPoint> create(String containerId, HostConfig host, ContainerConfig config, Path rootfs);

    /** The container's mount points, as recorded at create (a container older than that record: its binds). */
    List<MountPoint> mounts(ContainerRecord record);

    /**
     * The container is about to run: its volumes are mounted where they need a mount of their own (driver options)
     * and announced ({@code mount} events). Returns its mount points; a failure undoes what it mounted.
     */
    List<MountPoint> mountForRun(ContainerRecord record);

    /** The container's run ended, or never began: {@code unmount} events, and mounts no other run holds undone. */
    void releaseRun(String containerId);

    /** The container is gone: forget its mounts, and with {@code removeAnonymous} its anonymous volumes. */
    void remove(String containerId, boolean removeAnonymous);
}
