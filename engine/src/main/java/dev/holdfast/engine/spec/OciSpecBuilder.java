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
    private static final List<String> NAMESPACES = List.of("pid", "ipc", "uts", "mount");
    /** Docker's RLIMIT_NOFILE for containers. */
    public static final long DOCKER_NOFILE = 1048576;

    private final String cgroupParent;
    private final long nofile;

    /**
     * @param nofile the containers' RLIMIT_NOFILE: Docker's 1048576, or less where the daemons may not raise their
     *     own hard limit that far (runc would fail with "error setting rlimit type 7")
     */
    public OciSpecBuilder(String cgroupParent, long nofile) {
        this.cgroupParent = cgroupParent.endsWith("/") ? cgroupParent.substring(0, cgroupParent.length() - 1)
                : cgroupParent;
        this.nofile = nofile;
    }

    /**
     * @param containerDir where the hostname, hosts and resolv.conf files are ({@link EtcFiles})
     * @param rootfs the container's writable root; its /etc/passwd and /etc/group resolve {@code Config.User}
     */
    public Map<String, Object> build(ContainerRecord record, Path containerDir, Path rootfs, NetworkSandbox network,
            List<MountPoint> userMounts) {
        ContainerConfig config = record.config();
        HostConfig host = record.hostConfig();
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("ociVersion", "1.0.2");
        spec.put("process", process(record, rootfs, network.links().environment()));
        spec.put("root", Map.of("path", rootfs.toAbsolutePath().toString(), "readonly", host.readonlyRootfs()));
        spec.put("hostname", config.hostname());
        spec.put("mounts", mounts(containerDir, userMounts));
        spec.put("linux", linux(record.id(), host, network.namespace()));
        SecurityOptions.parse(host.securityOpt()).applyTo(spec, host.privileged());
        return spec;
    }

    /** @param linkEnv what legacy links define; the container's own variables override them, as in Docker */
    private Map<String, Object> process(ContainerRecord record, Path rootfs, List<String> linkEnv) {
        ContainerConfig config = record.config();
        List<String> args = new ArrayList<>();
        args.add(record.path());
        args.addAll(record.args());
        List<String> base = new ArrayList<>(List.of("PATH=" + Environment.DEFAULT_PATH, "HOSTNAME=" + config.hostname()));
        if (config.tty()) {
            base.add("TERM=xterm");
        }
        ProcessUser user = ProcessUser.resolve(config.user(), rootfs);
        Map<String, Object> userSpec = new LinkedHashMap<>();
        userSpec.put("uid", user.uid());
        userSpec.put("gid", user.gid());
        userSpec.put("additionalGids", user.additionalGids());
        List<String> caps = Capabilities.effective(record.hostConfig().capAdd(), record.hostConfig().capDrop());
        Map<String, Object> process = new LinkedHashMap<>();
        process.put("terminal", config.tty());
        process.put("user", userSpec);
        process.put("args", args);
        process.put("env", Environment.merge(Environment.merge(base, linkEnv), config.env()));
        process.put("cwd", config.workingDir() == null || config.workingDir().isEmpty() ? "/" : config.workingDir());
        process.put("capabilities", Map.of("bounding", caps, "effective", caps, "permitted", caps));
        process.put("rlimits", List.of(Map.of("type", "RLIMIT_NOFILE", "hard", nofile, "soft", nofile)));
        process.put("noNewPrivileges", false);
        return process;
    }

    private static List<Map<String, Object>> mounts(Path containerDir, List<MountPoint> binds) {
        List<Map<String, Object>> mounts = new ArrayList<>();
        mounts.add(mount("/proc", "proc", "proc", "nosuid", "noexec", "nodev"));
        mounts.add(mount("/dev", "tmpfs", "tmpfs", "nosuid", "strictatime", "mode=755", "size=65536k"));
        mounts.add(mount("/dev/pts", "devpts", "devpts", "nosuid", "noexec", "newinstance", "ptmxmode=0666",
                "mode=0620", "gid=5"));
        mounts.add(mount("/sys", "sysfs", "sysfs", "nosuid", "noexec", "nodev", "ro"));
        mounts.add(mount("/sys/fs/cgroup", "cgroup", "cgroup", "ro", "nosuid", "noexec", "nodev"));
        mounts.add(mount("/dev/mqueue", "mqueue", "mqueue", "nosuid", "noexec", "nodev"));
        mounts.add(mount("/dev/shm", "tmpfs", "shm", "nosuid", "noexec", "nodev", "mode=1777", "size=67108864"));
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

    private static Map<String, Object> mount(String destination, String type, String source, String... options) {
        Map<String, Object> mount = new LinkedHashMap<>();
        mount.put("destination", destination);
        mount.put("type", type);
        mount.put("source", source);
        mount.put("options", List.of(options));
        return mount;
    }

    private Map<String, Object> linux(String id, HostConfig host, NetworkNamespace network) {
        Map<String, Object> linux = new LinkedHashMap<>();
        List<Map<String, String>> namespaces = new ArrayList<>(NAMESPACES.stream().map(ns -> Map.of("type", ns)).toList());
        switch (network) {
            // A new namespace holds only loopback, which runc brings up.
            case NetworkNamespace.Private p -> namespaces.add(Map.of("type", "network"));
            case NetworkNamespace.Join join -> namespaces.add(Map.of("type", "network", "path", join.path()));
            case NetworkNamespace.Host h -> { }
        }
        linux.put("namespaces", namespaces);
        linux.put("cgroupsPath", cgroupParent + "/" + id);
        Map<String, Object> resources = new LinkedHashMap<>(Resources.of(host));
        resources.put("devices", deviceRules());
        linux.put("resources", resources);
        linux.put("maskedPaths", PathMasks.masked(host));
        linux.put("readonlyPaths", PathMasks.readonly(host));
        return linux;
    }

    /** Docker's device cgroup: deny all, then mknod anything and use the usual character devices. */
    private static List<Map<String, Object>> deviceRules() {
        List<Map<String, Object>> rules = new ArrayList<>();
        rules.add(Map.of("allow", false, "access", "rwm"));
        rules.add(Map.of("allow", true, "type", "c", "access", "m"));
        rules.add(Map.of("allow", true, "type", "b", "access", "m"));
        int[][] chars = {{1, 3}, {1, 5}, {1, 7}, {1, 8}, {1, 9}, {5, 0}, {5, 1}, {5, 2}, {10, 200}};
        for (int[] dev : chars) {
            rules.add(Map.of("allow", true, "type", "c", "major", dev[0], "minor", dev[1], "access", "rwm"));
        }
        rules.add(Map.of("allow", true, "type", "c", "major", 136, "access", "rwm"));
        return rules;
    }
}
