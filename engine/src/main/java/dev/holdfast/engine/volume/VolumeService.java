package dev.holdfast.engine.volume;

import dev.holdfast.engine.errdefs.DomainException;
import dev.holdfast.engine.errdefs.ErrorKind;
import dev.holdfast.engine.events.Event;
import dev.holdfast.engine.events.EventBus;
import dev.holdfast.engine.spec.BindMount;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/** {@code docker volume create|ls|inspect|rm|prune} on the {@code local} driver, with Docker's rules and events. */
public final class VolumeService {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final VolumeStore store;
    private final MountStore mounts;
    private final EventBus events;
    private final VolumeMounts volumeMounts = new VolumeMounts();

    VolumeService(VolumeStore store, MountStore mounts, EventBus events) {
        this.store = store;
        this.mounts = mounts;
        this.events = events;
    }

    public VolumeStore store() {
        return store;
    }

    /**
     * Creates a volume, or answers the existing one of that name as dockerd does. {@code name} null or empty makes a
     * named volume with a random name.
     */
    public synchronized Volume create(String name, String driver, Map<String, String> options,
            Map<String, String> labels) {
        requireLocal(driver, ErrorKind.NOT_FOUND);
        return createLocal(name, options, labels);
    }

    /**
     * As {@link #create}, for a container's {@code HostConfig.VolumeDriver}: a missing plugin is a 400 there, since
     * the CLI takes any 404 from a container create for a missing image and tries to pull it.
     */
    synchronized Volume createForContainer(String name, String driver, Map<String, String> options,
            Map<String, String> labels) {
        requireLocal(driver, ErrorKind.INVALID_PARAMETER);
        return createLocal(name, options, labels);
    }

    private Volume createLocal(String name, Map<String, String> options, Map<String, String> labels) {
        LocalDriverOptions.parse(options);
        if (name != null && !name.isEmpty()) {
            if (!name.matches(BindMount.VOLUME_NAME)) {
                throw DomainException.invalidParameter("create " + name + ": \"" + name + "\" includes invalid "
                        + "characters for a local volume name, only \"" + BindMount.VOLUME_NAME + "\" are allowed");
            }
            Volume existing = store.find(name).orElse(null);
            if (existing != null) {
                return existing;
            }
        }
        return make(name == null || name.isEmpty() ? randomName() : name, options, labels, false);
    }

    /** A volume for one container's {@code -v /path}, image VOLUME or {@code --mount} without a source. */
    synchronized Volume createAnonymous(String driver, Map<String, String> options) {
        requireLocal(driver, ErrorKind.INVALID_PARAMETER);
        LocalDriverOptions.parse(options);
        return make(randomName(), options, Map.of(Volume.ANONYMOUS_LABEL, ""), true);
    }

    /** Every driver but local is a plugin to dockerd, and a missing plugin is its 404; holdfast has none. */
    private static void requireLocal(String driver, ErrorKind kind) {
        if (driver != null && !driver.isEmpty() && !driver.equals(Volume.LOCAL)) {
            throw new DomainException(kind, "error looking up volume plugin " + driver + ": plugin \"" + driver
                    + "\" not found (volume plugins are not supported by holdfast yet; the local driver is)", null);
        }
    }

    private Volume make(String name, Map<String, String> options, Map<String, String> labels, boolean anonymous) {
        Volume v = store.create(new Volume(name, Volume.LOCAL, store.dataOf(name).toString(),
                DateTimeFormatter.ISO_INSTANT.format(Instant.now()), labels == null ? Map.of() : Map.copyOf(labels),
                options == null ? Map.of() : Map.copyOf(options), anonymous));
        publish(v, "create");
        return v;
    }

    public Volume get(String name) {
        return store.find(name).orElseThrow(() -> DomainException.notFound("get " + name + ": no such volume"));
    }

    /** The containers whose mounts use the volume. */
    public List<String> users(String name) {
        List<String> users = new ArrayList<>();
        mounts.all().forEach((id, list) -> {
            if (list.stream().anyMatch(m -> name.equals(m.name()))) {
                users.add(id);
            }
        });
        return users;
    }

    /** {@code docker volume rm}: Docker's 409 while a container (running or not) uses it; force only skips 404. */
    public synchronized void remove(String name, boolean force) {
        Volume v = store.find(name).orElse(null);
        if (v == null) {
            if (force) {
                return;
            }
            throw DomainException.notFound("get " + name + ": no such volume");
        }
        List<String> users = users(name);
        if (!users.isEmpty()) {
            throw DomainException.conflict("remove " + name + ": volume is in use - " + users);
        }
        volumeMounts.unmountQuietly(v, store.dataOf(v.name()));
        store.remove(v);
        publish(v, "destroy");
    }

    /** {@code docker volume prune}: unused volumes {@code which} accepts; returns their names. */
    public synchronized List<String> prune(Predicate<Volume> which) {
        List<String> removed = new ArrayList<>();
        for (Volume v : store.all()) {
            if (which.test(v) && users(v.name()).isEmpty()) {
                volumeMounts.unmountQuietly(v, store.dataOf(v.name()));
                store.remove(v);
                publish(v, "destroy");
                removed.add(v.name());
            }
        }
        return removed;
    }

    /** Docker's JSON of a volume; {@code withUsage}: its size and reference count ({@code UsageData}). */
    public Map<String, Object> view(Volume v, boolean withUsage) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("CreatedAt", v.createdAt());
        view.put("Driver", v.driver());
        view.put("Labels", v.labels());
        view.put("Mountpoint", v.mountpoint());
        view.put("Name", v.name());
        view.put("Options", v.options().isEmpty() ? null : v.options());
        view.put("Scope", "local");
        if (withUsage) {
            view.put("UsageData", Map.of("Size", size(v), "RefCount", users(v.name()).size()));
        }
        return view;
    }

    /** The bytes of the volume's files; -1 when they cannot be read. */
    public long size(Volume v) {
        return DirectorySize.of(store.dataOf(v.name()));
    }

    /** A container is about to run with {@code v} mounted at {@code destination}. */
    void mountFor(Volume v, String containerId, String destination, boolean readOnly, String propagation) {
        volumeMounts.hold(v, store.dataOf(v.name()), containerId);
        Map<String, String> attributes = new LinkedHashMap<>();
        attributes.put("container", containerId);
        attributes.put("destination", destination);
        attributes.put("propagation", propagation == null ? "" : propagation);
        attributes.put("read/write", String.valueOf(!readOnly));
        publish(v, "mount", attributes);
    }

    /** The run of {@code containerId} that mounted {@code v} ended. */
    void unmountFor(Volume v, String containerId) {
        volumeMounts.release(v, store.dataOf(v.name()), containerId);
        publish(v, "unmount", Map.of("container", containerId));
    }

    /**
     * At boot: the volumes of containers still running are held again (mounted where the host rebooted).
     */
    void holdMounts(Map<String, List<String>> volumesOfRunningContainers) {
        volumesOfRunningContainers.forEach((containerId, names) -> names.forEach(name -> store.find(name)
                .ifPresent(v -> volumeMounts.hold(v, store.dataOf(name), containerId))));
    }

    /** At boot, after {@link #holdMounts}: a volume with driver options that none holds is unmounted. */
    void unmountUnheld() {
        for (Volume v : store.all()) {
            if (!volumeMounts.held(v.name())) {
                volumeMounts.unmountQuietly(v, store.dataOf(v.name()));
            }
        }
    }

    private void publish(Volume v, String action) {
        publish(v, action, Map.of());
    }

    private void publish(Volume v, String action, Map<String, String> extra) {
        Map<String, String> attributes = new LinkedHashMap<>(extra);
        attributes.put("driver", v.driver());
        events.publish(new Event("volume", action, v.name(), attributes, Instant.now()));
    }

    private static String randomName() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }
}
