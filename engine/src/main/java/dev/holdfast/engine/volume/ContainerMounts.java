package dev.holdfast.engine.volume;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.holdfast.engine.container.Container;
import dev.holdfast.engine.container.ContainerConfig;
import dev.holdfast.engine.container.ContainerRecord;
import dev.holdfast.engine.container.ContainerStore;
import dev.holdfast.engine.container.ContainerVolumes;
import dev.holdfast.engine.container.HostConfig;
import dev.holdfast.engine.container.MountPoint;
import dev.holdfast.engine.errdefs.DomainException;
import dev.holdfast.engine.events.EventBus;
import dev.holdfast.engine.host.HostCommand;
import dev.holdfast.engine.spec.BindMount;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
    private final ContainerStore containers;

    private ContainerMounts(VolumeService volumes, MountStore mounts, ContainerStore containers) {
        this.volumes = volumes;
        this.mounts = mounts;
        this.containers = containers;
    }

    /**
     * The volume service and the containers' mounts, read from the data root and nothing changed: a restart's new
     * engine reads them while the old one may still serve ({@link #holdVolumesOfRunningContainers} and {@link #removeLeftovers} follow once this engine owns them).
     */
    public static ContainerMounts load(Path dataRoot, ObjectMapper mapper, EventBus events, ContainerStore containers)
            throws IOException {
        MountStore mounts = MountStore.load(dataRoot, mapper);
        return new ContainerMounts(new VolumeService(VolumeStore.load(dataRoot, mapper), mounts, events), mounts,
                containers);
    }

    /** At boot: the volumes of running containers are held (and mounted, after a host reboot) again. */
    public void holdVolumesOfRunningContainers() {
        Map<String, List<String>> running = new HashMap<>();
        for (Container c : containers.all()) {
            if (c.record().state().hasProcess()) {
                running.put(c.id(), mounts.of(c.id()).stream().filter(m -> m.type().equals("volume"))
                        .map(MountPoint::name).toList());
            }
        }
        volumes.holdMounts(running);
    }

    /**
     * At boot, once this engine owns the data root and after {@link #holdVolumesOfRunningContainers}: what a crash
     * left half-done goes (mounts records of no container, half-made volumes) and volumes no running container holds
     * are unmounted (their containers exited while the engine was away).
     */
    public void removeLeftovers() throws IOException {
        for (String id : mounts.all().keySet()) {
            // A crash between a create's mounts record and its container record (or during a removal) leaves
            // mounts no container has; they would keep their volumes in use for ever (found by scripts/chaos).
            if (containers.byId(id).isEmpty()) {
                LOG.info("removing the mounts record of container " + id + ": no such container (left by a crash)");
                mounts.remove(id);
            }
        }
        volumes.store().removeLeftovers();
        volumes.unmountUnheld();
    }

    /** {@code --volumes-from NAME[:ro|rw]}: the other container's binds and volumes, read-only with {@code :ro}. */
    private List<MountPoint> shared(String ref) {
        String[] parts = ref.split(":", 2);
        String mode = parts.length > 1 ? parts[1] : "";
        if (!mode.isEmpty() && !mode.equals("ro") && !mode.equals("rw")) {
            throw DomainException.invalidParameter("invalid mode for volumes-from: " + mode);
        }
        Container other = containers.find(parts[0]).orElseThrow(() -> DomainException.notFound(
                "No such container: " + parts[0]));
        return mounts(other.record()).stream().filter(m -> !m.type().equals("tmpfs"))
                .map(m -> m.sharedWith(mode.isEmpty() ? m.readOnly() : mode.equals("ro"))).toList();
    }

    public VolumeService volumes() {
        return volumes;
    }

    @Override
    public List<MountPoint> create(String containerId, HostConfig host, ContainerConfig config, Path rootfs) {
        List<MountPoint> result = new ArrayList<>();
        List<Volume> made = new ArrayList<>();
        Set<String> destinations = new HashSet<>();
        String driver = host.volumeDriver();
        try {
            for (BindMount bind : BindMount.parseAll(host.binds())) {
                claim(destinations, bind.destination());
                result.add(bind.isVolume()
                        ? namedVolume(bind.source(), bind.destination(), bind.readOnly(), bind.noCopy(), driver,
                                Map.of(), Map.of(), rootfs, made)
                        : MountPoint.bind(bind.source(), bind.destination(), bind.readOnly(), bind.propagation()));
            }
            for (Map<String, Object> spec : host.mounts() == null ? List.<Map<String, Object>>of() : host.mounts()) {
                MountRequests.Mount m = MountRequests.parse(spec);
                claim(destinations, m.target());
                result.add(switch (m.type()) {
                    case "bind" -> {
                        if (!Files.exists(Path.of(m.source()))) {
                            // Unlike -v, --mount never creates a missing source.
                            throw DomainException.invalidParameter("invalid mount config for type \"bind\": bind "
                                    + "source path does not exist: " + m.source());
                        }
                        yield MountPoint.bind(m.source(), m.target(), m.readOnly(), m.propagation());
                    }
                    case "volume" -> m.source().isEmpty()
                            ? anonymousVolume(m.target(), m.readOnly(), driver, m.driverOptions(), rootfs, made)
                            : namedVolume(m.source(), m.target(), m.readOnly(), m.noCopy(), driver, m.labels(),
                                    m.driverOptions(), rootfs, made);
                    default -> MountPoint.tmpfs(m.target(), m.tmpfsOptions());
                });
            }
            Map<String, String> tmpfs = host.tmpfs() == null ? Map.of() : host.tmpfs();
            for (Map.Entry<String, String> t : tmpfs.entrySet()) {
                claim(destinations, t.getKey());
                result.add(MountPoint.tmpfs(t.getKey(), MountRequests.tmpfsFlag(t.getKey(), t.getValue())));
            }
            for (String from : host.volumesFrom() == null ? List.<String>of() : host.volumesFrom()) {
                for (MountPoint shared : shared(from)) {
                    if (destinations.add(shared.destination())) {
                        result.add(shared);
                    }
                }
            }
            for (String destination : config.volumes() == null ? List.<String>of() : config.volumes().keySet()) {
                if (!destination.startsWith("/") || destination.equals("/")) {
                    throw DomainException.invalidParameter("invalid volume specification: '" + destination
                            + "': the container path must be absolute and not '/'");
                }
                if (destinations.add(destination)) {
                    result.add(anonymousVolume(destination, false, driver, Map.of(), rootfs, made));
                }
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

    private static void claim(Set<String> destinations, String destination) {
        if (!destinations.add(destination)) {
            throw DomainException.invalidParameter("Duplicate mount point: " + destination);
        }
    }

    /** {@code driver}: HostConfig.VolumeDriver, which only matters to a volume that does not exist yet. */
    private MountPoint namedVolume(String name, String destination, boolean readOnly, boolean noCopy, String driver,
            Map<String, String> labels, Map<String, String> driverOptions, Path rootfs, List<Volume> made) {
        boolean fresh = volumes.store().find(name).isEmpty();
        Volume v = volumes.createForContainer(name, driver, driverOptions, labels);
        if (fresh) {
            made.add(v);
            // A volume with driver options is a mount made at start: its directory now is not what the container sees.
            if (!noCopy && v.options().isEmpty()) {
                copyUp(rootfs, destination, Path.of(v.mountpoint()));
            }
        }
        return MountPoint.volume(v.name(), v.mountpoint(), destination, readOnly, false);
    }

    private MountPoint anonymousVolume(String destination, boolean readOnly, String driver,
            Map<String, String> driverOptions, Path rootfs, List<Volume> made) {
        Volume v = volumes.createAnonymous(driver, driverOptions);
        made.add(v);
        if (v.options().isEmpty()) {
            copyUp(rootfs, destination, Path.of(v.mountpoint()));
        }
        return MountPoint.volume(v.name(), v.mountpoint(), destination, readOnly, true);
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
        HostCommand.Result cp = HostCommand.run(List.of("cp", "-a", "--no-dereference", source + "/.", data + "/"),
                new byte[0], "copying " + destination + " of the image into volume " + data);
        if (!cp.ok()) {
            throw DomainException.system("copying " + destination + " of the image into volume " + data + ": "
                    + cp.stderr().strip(), null);
        }
    }

    @Override
    public List<MountPoint> mounts(ContainerRecord record) {
        List<MountPoint> recorded = mounts.of(record.id());
        if (!recorded.isEmpty() || mounts.has(record.id())) {
            return recorded;
        }
        return BindMount.parseAll(record.hostConfig().binds()).stream().filter(b -> !b.isVolume())
                .map(b -> MountPoint.bind(b.source(), b.destination(), b.readOnly(), b.propagation()))
                .toList();
    }

    @Override
    public List<MountPoint> mountForRun(ContainerRecord record) {
        List<MountPoint> points = mounts(record);
        List<Volume> mounted = new ArrayList<>();
        try {
            for (MountPoint m : points) {
                Optional<Volume> v = m.type().equals("volume") ? volumes.store().find(m.name()) : Optional.empty();
                if (v.isPresent()) {
                    volumes.mountFor(v.get(), record.id(), m.destination(), m.readOnly(), m.propagation());
                    mounted.add(v.get());
                }
            }
        } catch (RuntimeException e) {
            mounted.forEach(v -> volumes.unmountFor(v, record.id()));
            throw e;
        }
        return points;
    }

    @Override
    public void releaseRun(String containerId) {
        for (MountPoint m : mounts.of(containerId)) {
            if (m.type().equals("volume")) {
                volumes.store().find(m.name()).ifPresent(v -> volumes.unmountFor(v, containerId));
            }
        }
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
