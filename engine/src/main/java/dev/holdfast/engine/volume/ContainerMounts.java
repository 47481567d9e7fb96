package dev.holdfast.engine.volume;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.holdfast.engine.container.ContainerConfig;
import dev.holdfast.engine.container.ContainerRecord;
import dev.holdfast.engine.container.ContainerVolumes;
import dev.holdfast.engine.container.HostConfig;
import dev.holdfast.engine.container.MountPoint;
import dev.holdfast.engine.errdefs.DomainException;
import dev.holdfast.engine.events.EventBus;
import dev.holdfast.engine.spec.BindMount;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Containers' mounts: {@code HostConfig.Binds} (host paths and named volumes) and the anonymous volumes of
 * {@code Config.Volumes} (the image's VOLUMEs and {@code -v /path}), resolved once at create and recorded.
 */
public final class ContainerMounts implements ContainerVolumes {
    private static final Logger LOG = Logger.getLogger(ContainerMounts.class.getName());

    private final VolumeService volumes;
    private final MountStore mounts;

    private ContainerMounts(VolumeService volumes, MountStore mounts) {
        this.volumes = volumes;
        this.mounts = mounts;
    }

    /** The volume service and the containers' mounts, read from the data root. */
    public static ContainerMounts load(Path dataRoot, ObjectMapper mapper, EventBus events) throws IOException {
        MountStore mounts = MountStore.load(dataRoot, mapper);
        return new ContainerMounts(new VolumeService(VolumeStore.load(dataRoot, mapper), mounts, events), mounts);
    }

    public VolumeService volumes() {
        return volumes;
    }

    @Override
    public List<MountPoint> create(String containerId, HostConfig host, ContainerConfig config, Path rootfs) {
        List<MountPoint> result = new ArrayList<>();
        List<Volume> made = new ArrayList<>();
        Set<String> destinations = new HashSet<>();
        try {
            for (BindMount bind : BindMount.parseAll(host.binds())) {
                if (!destinations.add(bind.destination())) {
                    throw DomainException.invalidParameter("Duplicate mount point: " + bind.destination());
                }
                if (!bind.isVolume()) {
                    result.add(new MountPoint("bind", "", bind.source(), bind.destination(), bind.readOnly(),
                            bind.propagation(), false));
                    continue;
                }
                boolean fresh = volumes.store().find(bind.source()).isEmpty();
                Volume v = volumes.create(bind.source(), Volume.LOCAL, null, null);
                if (fresh) {
                    made.add(v);
                }
                if (fresh && !bind.noCopy()) {
                    copyUp(rootfs, bind.destination(), Path.of(v.mountpoint()));
                }
                result.add(new MountPoint("volume", v.name(), v.mountpoint(), bind.destination(), bind.readOnly(),
                        "", false));
            }
            for (String destination : config.volumes() == null ? List.<String>of() : config.volumes().keySet()) {
                if (!destination.startsWith("/") || destination.equals("/")) {
                    throw DomainException.invalidParameter("invalid volume specification: '" + destination
                            + "': the container path must be absolute and not '/'");
                }
                if (!destinations.add(destination)) {
                    continue;
                }
                Volume v = volumes.createAnonymous();
                made.add(v);
                copyUp(rootfs, destination, Path.of(v.mountpoint()));
                result.add(new MountPoint("volume", v.name(), v.mountpoint(), destination, false, "", true));
            }
            mounts.save(containerId, result);
            return result;
        } catch (RuntimeException e) {
            for (Volume v : made) {
                removeQuietly(v.name());
            }
            throw e;
        }
    }

    /**
     * Fills a new volume with what the image has at its mount point, owners and modes kept. Only a path of real
     * directories is followed: a symlink anywhere on the way (the image's own, pointing who knows where) leaves the
     * volume empty rather than copying from outside the root filesystem.
     */
    private static void copyUp(Path rootfs, String destination, Path data) {
        Path source = rootfs;
        for (Path part : Path.of(destination.substring(1))) {
            source = source.resolve(part);
            if (!Files.isDirectory(source, LinkOption.NOFOLLOW_LINKS)) {
                return;
            }
        }
        try {
            Process cp = new ProcessBuilder("cp", "-a", "--no-dereference", source + "/.", data + "/")
                    .redirectErrorStream(true).start();
            String out = new String(cp.getInputStream().readAllBytes());
            if (cp.waitFor() != 0) {
                throw DomainException.system("copying " + destination + " of the image into volume " + data + ": "
                        + out.strip(), null);
            }
        } catch (IOException e) {
            throw DomainException.system("copying " + destination + " of the image into " + data + ": "
                    + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw DomainException.system("interrupted while copying " + destination + " into " + data, e);
        }
    }

    @Override
    public List<MountPoint> mounts(ContainerRecord record) {
        List<MountPoint> recorded = mounts.of(record.id());
        if (!recorded.isEmpty() || mounts.has(record.id())) {
            return recorded;
        }
        return BindMount.parseAll(record.hostConfig().binds()).stream().filter(b -> !b.isVolume())
                .map(b -> new MountPoint("bind", "", b.source(), b.destination(), b.readOnly(), b.propagation(), false))
                .toList();
    }

    @Override
    public void remove(String containerId, boolean removeAnonymous) {
        List<MountPoint> gone = mounts.of(containerId);
        mounts.remove(containerId);
        if (removeAnonymous) {
            gone.stream().filter(MountPoint::anonymous).forEach(m -> removeQuietly(m.name()));
        }
    }

    private void removeQuietly(String name) {
        try {
            volumes.remove(name, true);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "removing volume " + name + ": " + e.getMessage());
        }
    }
}
