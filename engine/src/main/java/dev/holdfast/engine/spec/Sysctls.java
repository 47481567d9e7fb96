package dev.holdfast.engine.spec;

import dev.holdfast.engine.container.HostConfig;
import dev.holdfast.engine.errdefs.DomainException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * HostConfig's {@code Sysctls} as the OCI {@code linux.sysctl}. Only sysctls of a namespace the container has of its
 * own are allowed (runc's rule, checked here so that create fails rather than start), and a container with its own
 * network namespace gets dockerd's defaults: unprivileged ping and ports below 1024.
 */
public final class Sysctls {
    /** The IPC namespace's sysctls besides {@code fs.mqueue.*}. */
    private static final Set<String> IPC = Set.of("kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem",
            "kernel.shmall", "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced");
    private static final String UNPRIVILEGED_PORT_START = "net.ipv4.ip_unprivileged_port_start";

    private Sysctls() {}

    public static void validate(HostConfig host) {
        for (String key : sysctls(host).keySet()) {
            if (IPC.contains(key) || key.startsWith("fs.mqueue.")) {
                if ("host".equals(host.ipcMode())) {
                    throw DomainException.invalidParameter("sysctl \"" + key
                            + "\" is not allowed in the hosts ipc namespace");
                }
            } else if (key.startsWith("net.")) {
                if ("host".equals(host.networkMode())) {
                    throw DomainException.invalidParameter("sysctl \"" + key
                            + "\" not allowed in host network namespace");
                }
            } else if (key.equals("kernel.hostname")) {
                throw DomainException.invalidParameter(
                        "sysctl \"kernel.hostname\" is not allowed as it conflicts with the OCI \"hostname\" field");
            } else if (!key.equals("kernel.domainname") || "host".equals(host.utsMode())) {
                throw DomainException.invalidParameter("sysctl \"" + key + "\" is not in a separate kernel namespace");
            }
        }
    }

    /**
     * @param domainname Config.Domainname, set through its sysctl since runc 1.1 does not know the spec's field
     * @param ownNetwork whether the container has a network namespace of its own (not the host's, not shared)
     */
    static Map<String, String> of(HostConfig host, String domainname, boolean ownNetwork) {
        Map<String, String> sysctl = new LinkedHashMap<>();
        if (domainname != null && !domainname.isEmpty()) {
            sysctl.put("kernel.domainname", domainname);
        }
        if (ownNetwork) {
            sysctl.put("net.ipv4.ping_group_range", "0 2147483647");
            if (Files.exists(Path.of("/proc/sys/net/ipv4/ip_unprivileged_port_start"))) {
                sysctl.put(UNPRIVILEGED_PORT_START, "0");
            }
        }
        // The container's own settings win over the defaults, as in dockerd.
        sysctl.putAll(sysctls(host));
        return sysctl;
    }

    private static Map<String, String> sysctls(HostConfig host) {
        return host.sysctls() == null ? Map.of() : host.sysctls();
    }
}
