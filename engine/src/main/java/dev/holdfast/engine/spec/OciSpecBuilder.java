package dev.holdfast.engine.spec;

import dev.holdfast.engine.container.ContainerConfig;
import dev.holdfast.engine.container.ContainerRecord;
import dev.holdfast.engine.container.HostConfig;
import dev.holdfast.engine.container.MountPoint;
import dev.holdfast.engine.container.NetworkSandbox;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The OCI runtime spec (runc's config.json) of a container, with Docker's defaults for everything the container's
 * config does not say: mounts, namespaces, capabilities, masked paths, device rules, seccomp.
 */
public final class OciSpecBuilder {
    /** Docker's RLIMIT_NOFILE for containers. */
    public static final long DOCKER_NOFILE = 1048576;

    private final String cgroupParent;
    private final long nofile;
    private final InitProcess init;

    /**
     * @param nofile the containers' RLIMIT_NOFILE: Docker's 1048576, or less where the daemons may not raise their
     *     own hard limit that far (runc would fail with "error setting rlimit type 7")
     * @param init what {@code --init} runs as pid 1
     */
    public OciSpecBuilder(String cgroupParent, long nofile, InitProcess init) {
        this.cgroupParent = cgroupParent.endsWith("/") ? cgroupParent.substring(0, cgroupParent.length() - 1)
                : cgroupParent;
        this.nofile = nofile;
        this.init = init;
    }

    /**
     * @param containerDir where the hostname, hosts and resolv.conf files are ({@link EtcFiles})
     * @param rootfs the container's writable root; its /etc/passwd and /etc/group resolve {@code Config.User}
     * @param joined the running containers whose pid and ipc namespaces this one joins
     */
    public Map<String, Object> build(ContainerRecord record, Path containerDir, Path rootfs, NetworkSandbox network,
            List<MountPoint> userMounts, JoinedNamespaces joined) {
        ContainerConfig config = record.config();
        HostConfig host = record.hostConfig();
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("ociVersion", "1.0.2");
        spec.put("process", process(record, rootfs, network.links().environment()));
        spec.put("root", Map.of("path", rootfs.toAbsolutePath().toString(), "readonly", host.readonlyRootfs()));
        if (!NamespaceModes.hostUts(host)) {
            spec.put("hostname", config.hostname());
        }
        spec.put("mounts", mounts(containerDir, userMounts, host, joined));
        spec.put("linux", linux(record.id(), host, config.domainname(), network.namespace(), joined));
        if (host.annotations() != null && !host.annotations().isEmpty()) {
            spec.put("annotations", host.annotations());
        }
        SecurityOptions.parse(host.securityOpt()).applyTo(spec, host.privileged());
        return spec;
    }

    /** @param linkEnv what legacy links define; the container's own variables override them, as in Docker */
    private Map<String, Object> process(ContainerRecord record, Path rootfs, List<String> linkEnv) {
        ContainerConfig config = record.config();
        List<String> args = new ArrayList<>();
        args.add(record.path());
        args.addAll(record.args());
        if (InitProcess.wanted(record.hostConfig())) {
            args = InitProcess.args(args);
        }
        List<String> base = Environment.containerDefaults(config.hostname(), config.tty());
        ProcessUser user = ProcessUser.resolve(config.user(), record.hostConfig().groupAdd(), rootfs);
        List<String> caps = Capabilities.of(record.hostConfig());
        Map<String, Object> process = new LinkedHashMap<>();
        process.put("terminal", config.tty());
        List<Integer> consoleSize = record.hostConfig().consoleSize();
        // [height, width]: the tty's size before the client's first resize; dockerd leaves 0x0 to the runtime.
        if (config.tty() && consoleSize != null && consoleSize.size() == 2
                && (consoleSize.get(0) > 0 || consoleSize.get(1) > 0)) {
            process.put("consoleSize", Map.of("height", consoleSize.get(0), "width", consoleSize.get(1)));
        }
        process.put("user", user.toSpec());
        process.put("args", args);
        process.put("env", Environment.merge(Environment.merge(base, linkEnv), config.env()));
        process.put("cwd", config.workingDir() == null || config.workingDir().isEmpty() ? "/" : config.workingDir());
        process.put("capabilities", Map.of("bounding", caps, "effective", caps, "permitted", caps));
        process.put("rlimits", ProcessLimits.rlimits(record.hostConfig(), nofile));
        process.put("oomScoreAdj", record.hostConfig().oomScoreAdj());
        process.put("noNewPrivileges", false);
        return process;
    }

    private List<Map<String, Object>> mounts(Path containerDir, List<MountPoint> binds, HostConfig host,
            JoinedNamespaces joined) {
        // A privileged container may write to /sys and its cgroups, as in Docker.
        String sysAccess = host.privileged() ? "rw" : "ro";
        List<Map<String, Object>> mounts = new ArrayList<>();
        mounts.add(mount("/proc", "proc", "proc", "nosuid", "noexec", "nodev"));
        mounts.add(mount("/dev", "tmpfs", "tmpfs", "nosuid", "strictatime", "mode=755", "size=65536k"));
        mounts.add(mount("/dev/pts", "devpts", "devpts", "nosuid", "noexec", "newinstance", "ptmxmode=0666",
                "mode=0620", "gid=5"));
        mounts.add(mount("/sys", "sysfs", "sysfs", "nosuid", "noexec", "nodev", sysAccess));
        mounts.add(mount("/sys/fs/cgroup", "cgroup", "cgroup", sysAccess, "nosuid", "noexec", "nodev"));
        mounts.add(mount("/dev/mqueue", "mqueue", "mqueue", "nosuid", "noexec", "nodev"));
        mounts.addAll(ShmMount.of(host, joined));
        if (InitProcess.wanted(host)) {
            mounts.add(init.mount());
        }
        for (String file : List.of(EtcFiles.RESOLV_CONF, EtcFiles.HOSTNAME, EtcFiles.HOSTS)) {
            mounts.add(mount("/etc/" + file, "bind", containerDir.resolve(file).toAbsolutePath().toString(),
                    "rbind", "rprivate"));
        }
        // Parents before children, as Docker orders user mounts, so a bind inside another bind is not hidden.
        List<MountPoint> ordered = binds.stream()
                .sorted(Comparator.comparingInt(b -> Path.of(b.destination()).getNameCount()))
                .toList();
        for (MountPoint bind : ordered) {
            if (bind.type().equals("tmpfs")) {
                // Docker's defaults for a tmpfs, then what the container asked for.
                List<String> options = new ArrayList<>(List.of("nosuid", "nodev", "noexec"));
                if (!bind.options().isEmpty()) {
                    options.addAll(List.of(bind.options().split(",")));
                }
                mounts.add(mount(bind.destination(), "tmpfs", "tmpfs", options.toArray(String[]::new)));
                continue;
            }
            List<String> options = new ArrayList<>(List.of("rbind",
                    bind.propagation().isEmpty() ? "rprivate" : bind.propagation()));
            if (bind.readOnly()) {
                options.add("ro");
            }
            mounts.add(mount(bind.destination(), "bind", bind.source(), options.toArray(String[]::new)));
        }
        return mounts;
    }

    static Map<String, Object> mount(String destination, String type, String source, String... options) {
        Map<String, Object> mount = new LinkedHashMap<>();
        mount.put("destination", destination);
        mount.put("type", type);
        mount.put("source", source);
        mount.put("options", List.of(options));
        return mount;
    }

    private Map<String, Object> linux(String id, HostConfig host, String domainname, NetworkNamespace network,
            JoinedNamespaces joined) {
        Map<String, Object> linux = new LinkedHashMap<>();
        linux.put("namespaces", NamespaceModes.of(host, network, joined));
        linux.put("cgroupsPath", cgroupsPath(id, host));
        Devices devices = Devices.of(host);
        linux.put("devices", devices.nodes());
        Map<String, Object> resources = new LinkedHashMap<>(Resources.of(host));
        resources.put("devices", devices.cgroupRules());
        linux.put("resources", resources);
        Map<String, String> sysctl = Sysctls.of(host, domainname, !(network instanceof NetworkNamespace.Host)
                && !String.valueOf(host.networkMode()).startsWith("container:"));
        if (!sysctl.isEmpty()) {
            linux.put("sysctl", sysctl);
        }
        linux.put("maskedPaths", PathMasks.masked(host));
        linux.put("readonlyPaths", PathMasks.readonly(host));
        return linux;
    }

    /** Under the container's CgroupParent when it names one (as dockerd's cgroupfs driver), else the daemon's. */
    private String cgroupsPath(String id, HostConfig host) {
        String parent = host.cgroupParent() == null || host.cgroupParent().isEmpty() ? cgroupParent
                : host.cgroupParent().replaceAll("/+$", "");
        return parent + "/" + id;
    }
}
