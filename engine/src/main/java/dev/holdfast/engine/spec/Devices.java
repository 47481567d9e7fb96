package dev.holdfast.engine.spec;

import dev.holdfast.engine.container.HostConfig;
import dev.holdfast.engine.container.HostConfig.DeviceMapping;
import dev.holdfast.engine.errdefs.DomainException;
import dev.holdfast.engine.host.DeviceNumber;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The device nodes of a container ({@code linux.devices}) and its device cgroup ({@code linux.resources.devices}):
 * Docker's defaults, then {@code --device}, {@code --device-cgroup-rule}, and for {@code --privileged} every device of
 * the host with access to all.
 */
public record Devices(List<Map<String, Object>> nodes, List<Map<String, Object>> cgroupRules) {
    /** Majors and minors of at most 18 digits: a longer one would overflow the long it is parsed into. */
    private static final Pattern CGROUP_RULE = Pattern.compile("^([acb]) ([0-9]{1,18}|\\*):([0-9]{1,18}|\\*) ([rwm]{1,3})$");
    private static final Pattern PERMISSIONS = Pattern.compile("^[rwm]{1,3}$");
    private static final int S_IFMT = 0170000;
    private static final int S_IFCHR = 0020000;
    private static final int S_IFBLK = 0060000;
    /** What runc's HostDevices skips: mounts of their own in a container, and the console runc makes itself. */
    private static final Set<String> SKIPPED = Set.of("pts", "shm", "fd", "mqueue", ".lxc", ".lxd-mounts", ".udev",
            "console");

    /** Reads the host's devices now (at start, as dockerd): each mapped path once, for its node and its rule. */
    static Devices of(HostConfig host) {
        List<Map<String, Object>> nodes = new ArrayList<>();
        List<Map<String, Object>> rules = new ArrayList<>(defaultRules(host.privileged()));
        if (host.privileged()) {
            nodes.addAll(hostDevices());
        }
        for (DeviceMapping mapping : mappings(host)) {
            for (Map<String, Object> node : mapped(mapping)) {
                nodes.add(node);
                rules.add(Map.of("allow", true, "type", node.get("type"), "major", node.get("major"),
                        "minor", node.get("minor"), "access", permissions(mapping)));
            }
        }
        for (String rule : host.deviceCgroupRules() == null ? List.<String>of() : host.deviceCgroupRules()) {
            rules.add(parsedRule(rule));
        }
        return new Devices(List.copyOf(nodes), List.copyOf(rules));
    }

    /** 400 for a malformed {@code --device} or {@code --device-cgroup-rule}, in dockerd's words. */
    public static void validate(HostConfig host) {
        for (DeviceMapping device : mappings(host)) {
            if (device.pathOnHost() == null || device.pathOnHost().isEmpty()) {
                throw DomainException.invalidParameter("invalid device mapping: PathOnHost is empty");
            }
            String permissions = device.cgroupPermissions();
            if (permissions != null && !permissions.isEmpty() && !PERMISSIONS.matcher(permissions).matches()) {
                throw DomainException.invalidParameter("invalid device mode: " + permissions);
            }
        }
        for (String rule : host.deviceCgroupRules() == null ? List.<String>of() : host.deviceCgroupRules()) {
            if (!CGROUP_RULE.matcher(rule).matches()) {
                throw DomainException.invalidParameter("invalid device cgroup format '" + rule + "'");
            }
        }
    }

    /**
     * Docker's device cgroup: deny all, then mknod anything and use the usual character devices; a privileged
     * container may use every device.
     */
    private static List<Map<String, Object>> defaultRules(boolean privileged) {
        List<Map<String, Object>> rules = new ArrayList<>();
        rules.add(Map.of("allow", false, "access", "rwm"));
        if (privileged) {
            rules.add(Map.of("allow", true, "access", "rwm"));
            return rules;
        }
        rules.add(Map.of("allow", true, "type", "c", "access", "m"));
        rules.add(Map.of("allow", true, "type", "b", "access", "m"));
        int[][] chars = {{1, 3}, {1, 5}, {1, 7}, {1, 8}, {1, 9}, {5, 0}, {5, 1}, {5, 2}, {10, 200}};
        for (int[] dev : chars) {
            rules.add(Map.of("allow", true, "type", "c", "major", dev[0], "minor", dev[1], "access", "rwm"));
        }
        rules.add(Map.of("allow", true, "type", "c", "major", 136, "access", "rwm"));
        return rules;
    }

    private static Map<String, Object> parsedRule(String rule) {
        Matcher m = CGROUP_RULE.matcher(rule);
        if (!m.matches()) {
            throw DomainException.invalidParameter("invalid device cgroup format '" + rule + "'");
        }
        Map<String, Object> parsed = new LinkedHashMap<>();
        parsed.put("allow", true);
        parsed.put("type", m.group(1));
        // An absent major or minor is the wildcard.
        if (!m.group(2).equals("*")) {
            parsed.put("major", Long.parseLong(m.group(2)));
        }
        if (!m.group(3).equals("*")) {
            parsed.put("minor", Long.parseLong(m.group(3)));
        }
        parsed.put("access", m.group(4));
        return parsed;
    }

    /** One device, or every device under a directory (as dockerd walks one); symlinks resolved like dockerd. */
    private static List<Map<String, Object>> mapped(DeviceMapping mapping) {
        String onHost = mapping.pathOnHost();
        String inContainer = mapping.pathInContainer() == null || mapping.pathInContainer().isEmpty()
                ? onHost : mapping.pathInContainer();
        try {
            Path resolved = Path.of(onHost).toRealPath();
            if (!Files.isDirectory(resolved)) {
                Map<String, Object> node = node(resolved, inContainer);
                if (node == null) {
                    throw DomainException.invalidParameter("error gathering device information while adding custom "
                            + "device \"" + onHost + "\": not a device node");
                }
                return List.of(node);
            }
            List<Map<String, Object>> nodes = new ArrayList<>();
            try (Stream<Path> walk = Files.walk(resolved)) {
                for (Path p : walk.sorted().toList()) {
                    Map<String, Object> node = node(p, inContainer + "/" + resolved.relativize(p));
                    if (node != null) {
                        nodes.add(node);
                    }
                }
            }
            if (nodes.isEmpty()) {
                throw DomainException.invalidParameter("no devices found in " + onHost);
            }
            return nodes;
        } catch (NoSuchFileException e) {
            throw DomainException.invalidParameter("error gathering device information while adding custom device \""
                    + onHost + "\": no such file or directory");
        } catch (IOException e) {
            throw DomainException.invalidParameter("error gathering device information while adding custom device \""
                    + onHost + "\": " + e.getMessage());
        }
    }

    /** Every character and block device under the host's /dev, for a privileged container. */
    private static List<Map<String, Object>> hostDevices() {
        List<Map<String, Object>> nodes = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(Path.of("/dev"))) {
            for (Path p : walk.filter(p -> p.getNameCount() < 2 || !SKIPPED.contains(p.getName(1).toString()))
                    .sorted().toList()) {
                Map<String, Object> node = node(p, p.toString());
                if (node != null) {
                    nodes.add(node);
                }
            }
        } catch (IOException | java.io.UncheckedIOException e) {
            throw DomainException.system("listing the host's devices for a privileged container: " + e.getMessage(), e);
        }
        return nodes;
    }

    /** The OCI LinuxDevice of a character or block device, or null for anything else. */
    private static Map<String, Object> node(Path onHost, String inContainer) throws IOException {
        Map<String, Object> attributes = Files.readAttributes(onHost, "unix:mode,rdev,uid,gid",
                LinkOption.NOFOLLOW_LINKS);
        int mode = (int) attributes.get("mode");
        String type = switch (mode & S_IFMT) {
            case S_IFCHR -> "c";
            case S_IFBLK -> "b";
            default -> null;
        };
        if (type == null) {
            return null;
        }
        long rdev = (long) attributes.get("rdev");
        Map<String, Object> node = new LinkedHashMap<>();
        node.put("path", inContainer);
        node.put("type", type);
        node.put("major", DeviceNumber.major(rdev));
        node.put("minor", DeviceNumber.minor(rdev));
        node.put("fileMode", mode & 07777);
        node.put("uid", attributes.get("uid"));
        node.put("gid", attributes.get("gid"));
        return node;
    }

    private static String permissions(DeviceMapping mapping) {
        String p = mapping.cgroupPermissions();
        return p == null || p.isEmpty() ? "rwm" : p;
    }

    private static List<DeviceMapping> mappings(HostConfig host) {
        return host.devices() == null ? List.of() : host.devices();
    }
}
