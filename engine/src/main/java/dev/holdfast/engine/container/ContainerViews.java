package dev.holdfast.engine.container;

import dev.holdfast.engine.api.Json;
import dev.holdfast.engine.time.Timestamps;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The JSON a client sees of a container: {@code docker inspect} and the {@code docker ps} summary. */
public final class ContainerViews {
    private ContainerViews() {}

    /** {@code execIds}: the execs that have not exited, null when none. */
    public static Map<String, Object> inspect(Container c, ContainerNetworking networking, ContainerVolumes volumes,
            List<String> execIds) {
        ContainerRecord r = c.record();
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("Id", r.id());
        view.put("Created", r.created());
        view.put("Path", r.path());
        view.put("Args", r.args());
        view.put("State", r.state());
        view.put("Image", r.image());
        view.put("ResolvConfPath", r.resolvConfPath());
        view.put("HostnamePath", r.hostnamePath());
        view.put("HostsPath", r.hostsPath());
        view.put("LogPath", r.logPath());
        view.put("Name", r.name());
        view.put("RestartCount", r.restartCount());
        view.put("Driver", "vfs");
        view.put("Platform", "linux");
        view.put("MountLabel", "");
        view.put("ProcessLabel", "");
        view.put("AppArmorProfile", "");
        view.put("ExecIDs", execIds);
        view.put("HostConfig", CreateFields.echoHostConfig(Json.MAPPER.valueToTree(r.hostConfig())));
        view.put("GraphDriver", Map.of("Name", "vfs", "Data", Map.of()));
        view.put("Mounts", mounts(volumes.mounts(r)));
        view.put("Config", CreateFields.echoConfig(Json.MAPPER.valueToTree(r.config())));
        view.put("NetworkSettings", networking.settings(c));
        return view;
    }

    /** {@code sizes}: the {@code SizeRw} (written by the container) and {@code SizeRootFs} of {@code size=1}, else null. */
    public static Map<String, Object> summary(Container c, Instant now, long[] sizes, ContainerNetworking networking,
            ContainerVolumes volumes) {
        ContainerRecord r = c.record();
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("Id", r.id());
        view.put("Names", List.of(r.name()));
        view.put("Image", r.config().image());
        view.put("ImageID", r.image());
        view.put("Command", command(r.path(), r.args()));
        view.put("Created", Timestamps.parse(r.created()).getEpochSecond());
        view.put("Ports", networking.portSummary(c));
        if (sizes != null) {
            view.put("SizeRw", sizes[0]);
            view.put("SizeRootFs", sizes[1]);
        }
        view.put("Labels", r.config().labels() == null ? Map.of() : r.config().labels());
        view.put("State", r.state().status());
        view.put("Status", r.state().describe(now));
        view.put("HostConfig", Map.of("NetworkMode", r.hostConfig().networkMode()));
        view.put("NetworkSettings", Map.of("Networks", networking.networkSummary(c)));
        view.put("Mounts", mounts(volumes.mounts(r)));
        return view;
    }

    /** {@code SizeRw} and {@code SizeRootFs} of {@code ps -s} and {@code system df}; zeros when they cannot be read. */
    public static long[] sizes(Container c, ContainerImages images) {
        try {
            return new long[] {images.writableSize(c.dir()), images.rootfsSize(c.record().image(), c.dir())};
        } catch (java.io.IOException | java.io.UncheckedIOException e) {
            return new long[] {0, 0};
        }
    }

    /** Docker's ps Command: path and args joined, an argument with a space in single quotes. */
    static String command(String path, List<String> args) {
        if (args.isEmpty()) {
            return path;
        }
        List<String> quoted = new ArrayList<>();
        for (String arg : args) {
            quoted.add(arg.contains(" ") ? "'" + arg + "'" : arg);
        }
        return path + " " + String.join(" ", quoted);
    }

    /** Docker's {@code Mounts}: binds and volumes with their host side. */
    private static List<Map<String, Object>> mounts(List<MountPoint> points) {
        List<Map<String, Object>> mounts = new ArrayList<>();
        for (MountPoint p : points) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("Type", p.type());
            if (p.type().equals("volume")) {
                m.put("Name", p.name());
            }
            m.put("Source", p.source());
            m.put("Destination", p.destination());
            if (p.type().equals("volume")) {
                m.put("Driver", "local");
            }
            m.put("Mode", p.readOnly() ? "ro" : "");
            m.put("RW", !p.readOnly());
            m.put("Propagation", p.propagation());
            mounts.add(m);
        }
        return mounts;
    }
}
