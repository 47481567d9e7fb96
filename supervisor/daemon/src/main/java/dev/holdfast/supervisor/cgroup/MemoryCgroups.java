package dev.holdfast.supervisor.cgroup;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Where containers' memory cgroups live, and their OOM-kill counters. runc puts a container with the cgroupfs
 * driver at its spec's {@code linux.cgroupsPath} under the memory controller's mount: the cgroup v1 {@code memory}
 * hierarchy when there is one (also on hybrid hosts, whose v2 mount has no memory controller), else the v2 unified
 * mount. The counter is the kernel's {@code oom_kill} line: in {@code memory.oom_control} on v1 (Linux 4.13 and
 * later), in {@code memory.events} on v2. It counts from the cgroup's creation, so a fresh container starts at 0.
 */
public final class MemoryCgroups {
    private final Path mount;
    private final boolean unified;

    MemoryCgroups(Path mount, boolean unified) {
        this.mount = mount;
        this.unified = unified;
    }

    /** The host's, from {@code /proc/self/mountinfo}; empty when no memory controller is mounted. */
    public static Optional<MemoryCgroups> ofHost() throws IOException {
        return fromMountInfo(Files.readAllLines(Path.of("/proc/self/mountinfo"), StandardCharsets.UTF_8));
    }

    /**
     * Picks the memory controller's mount from mountinfo lines
     * ({@code 34 30 0:31 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory}).
     */
    static Optional<MemoryCgroups> fromMountInfo(List<String> lines) {
        Path v2 = null;
        for (String line : lines) {
            String[] halves = line.split(" - ", 2);
            if (halves.length < 2) {
                continue;
            }
            String[] fields = halves[0].split(" ");
            String[] tail = halves[1].split(" ");
            if (fields.length < 5 || tail.length < 3) {
                continue;
            }
            Path mountPoint = Path.of(unescape(fields[4]));
            if (tail[0].equals("cgroup") && List.of(tail[2].split(",")).contains("memory")) {
                return Optional.of(new MemoryCgroups(mountPoint, false));
            }
            if (tail[0].equals("cgroup2") && v2 == null) {
                v2 = mountPoint;
            }
        }
        return Optional.ofNullable(v2).map(p -> new MemoryCgroups(p, true));
    }

    /** mountinfo escapes space, tab, newline and backslash as octal. */
    private static String unescape(String field) {
        StringBuilder out = new StringBuilder(field.length());
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\' && i + 3 < field.length() && field.substring(i + 1, i + 4).chars().allMatch(
                    d -> d >= '0' && d <= '7')) {
                out.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    /** The cgroup directory of {@code cgroupsPath} (a path-form cgroupsPath, as holdfast writes it). */
    public Path directory(String cgroupsPath) {
        if (cgroupsPath.contains(":")) {
            throw new IllegalArgumentException("cgroupsPath " + cgroupsPath
                    + " is in systemd form (slice:prefix:name); only path form is supported");
        }
        return mount.resolve(cgroupsPath.replaceFirst("^/+", ""));
    }

    /**
     * How many processes the kernel OOM-killed in the cgroup of {@code cgroupsPath}. 0 when the cgroup does not
     * exist (it is removed with the container); empty when the kernel keeps no such counter.
     */
    public OptionalLong oomKills(String cgroupsPath) throws IOException {
        Path file = directory(cgroupsPath).resolve(unified ? "memory.events" : "memory.oom_control");
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.US_ASCII);
        } catch (NoSuchFileException e) {
            return OptionalLong.of(0);
        }
        return counter(lines, "oom_kill");
    }

    /** The value of {@code key} in a flat keyed file ({@code key value} per line). */
    static OptionalLong counter(List<String> lines, String key) {
        for (String line : lines) {
            String[] kv = line.strip().split("\\s+");
            if (kv.length == 2 && kv[0].equals(key)) {
                try {
                    return OptionalLong.of(Long.parseLong(kv[1]));
                } catch (NumberFormatException e) {
                    return OptionalLong.empty();
                }
            }
        }
        return OptionalLong.empty();
    }
}
