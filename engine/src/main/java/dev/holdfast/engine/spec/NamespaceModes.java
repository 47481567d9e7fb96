package dev.holdfast.engine.spec;

import dev.holdfast.engine.container.HostConfig;
import dev.holdfast.engine.errdefs.DomainException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * HostConfig's PidMode, IpcMode, UTSMode and CgroupnsMode: which namespaces a container gets of its own, which it
 * shares with the host (no entry: runc leaves the process in the daemon's) and which it joins of another container.
 */
public final class NamespaceModes {
    private static final String CONTAINER = "container:";
    private static final Set<String> IPC_MODES = Set.of("", "none", "private", "shareable", "host");

    private NamespaceModes() {}

    /** 400 for a mode dockerd does not know, and for a hostname with the host's UTS namespace (dockerd's words). */
    public static void validate(HostConfig host, String hostname) {
        String pid = orEmpty(host.pidMode());
        if (!pid.isEmpty() && !pid.equals("host") && containerOf(pid) == null) {
            throw DomainException.invalidParameter("invalid PID mode: " + pid);
        }
        String ipc = orEmpty(host.ipcMode());
        if (!IPC_MODES.contains(ipc) && containerOf(ipc) == null) {
            throw DomainException.invalidParameter("invalid IPC mode: " + ipc);
        }
        String uts = orEmpty(host.utsMode());
        if (!uts.isEmpty() && !uts.equals("host")) {
            throw DomainException.invalidParameter("invalid UTS mode: " + uts);
        }
        if (uts.equals("host") && hostname != null && !hostname.isEmpty()) {
            throw DomainException.invalidParameter("Conflicting options: hostname and the UTS mode");
        }
        String cgroupns = orEmpty(host.cgroupnsMode());
        if (!Set.of("", "host", "private").contains(cgroupns)) {
            throw DomainException.invalidParameter("invalid cgroup namespace mode: " + cgroupns);
        }
    }

    /** The container a {@code container:<name|id>} mode names, or null for any other mode. */
    public static String containerOf(String mode) {
        return mode != null && mode.startsWith(CONTAINER) && mode.length() > CONTAINER.length()
                ? mode.substring(CONTAINER.length()) : null;
    }

    /** Whether the container has the host's hostname: no UTS namespace of its own. */
    public static boolean hostUts(HostConfig host) {
        return "host".equals(host.utsMode());
    }

    /** runc's {@code linux.namespaces}. */
    static List<Map<String, String>> of(HostConfig host, NetworkNamespace network, JoinedNamespaces joined) {
        List<Map<String, String>> namespaces = new ArrayList<>();
        if (joined.pidHolder() != 0) {
            namespaces.add(join("pid", joined.pidHolder()));
        } else if (!"host".equals(host.pidMode())) {
            namespaces.add(Map.of("type", "pid"));
        }
        if (joined.ipcHolder() != 0) {
            namespaces.add(join("ipc", joined.ipcHolder()));
        } else if (!"host".equals(host.ipcMode())) {
            namespaces.add(Map.of("type", "ipc"));
        }
        if (!hostUts(host)) {
            namespaces.add(Map.of("type", "uts"));
        }
        namespaces.add(Map.of("type", "mount"));
        if ("private".equals(host.cgroupnsMode())) {
            namespaces.add(Map.of("type", "cgroup"));
        }
        switch (network) {
            // A new namespace holds only loopback, which runc brings up.
            case NetworkNamespace.Private p -> namespaces.add(Map.of("type", "network"));
            case NetworkNamespace.Join j -> namespaces.add(Map.of("type", "network", "path", j.path()));
            case NetworkNamespace.Host h -> { }
        }
        return namespaces;
    }

    private static Map<String, String> join(String type, int pid) {
        return Map.of("type", type, "path", "/proc/" + pid + "/ns/" + type);
    }

    private static String orEmpty(String s) {
        return s == null ? "" : s;
    }
}
