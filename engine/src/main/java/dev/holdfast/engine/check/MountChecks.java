package dev.holdfast.engine.check;

import dev.holdfast.engine.check.InstanceState.ContainerView;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What is mounted under the data and run directories belongs to a record: a container's root filesystem (and its
 * shared /dev/shm) to its record, a volume's data to the volume, a network namespace to a running container; and a
 * running container's root filesystem is mounted; and nothing is mounted twice at one point.
 */
final class MountChecks {
    private MountChecks() {}

    static List<Violation> check(InstanceState s) {
        List<Violation> found = new ArrayList<>();
        Map<String, ContainerView> records = s.containersById();
        Set<Path> mounted = new LinkedHashSet<>(s.mounts());
        for (Path mount : mounted) {
            long stacked = s.mounts().stream().filter(mount::equals).count();
            if (stacked > 1) {
                found.add(new Violation(stacked + " mounts stacked at one point (holdfast mounts each once: a repeated"
                        + " mount that was never undone)", mount.toString()));
            }
            if (mount.startsWith(s.dataRoot())) {
                Path rel = s.dataRoot().relativize(mount);
                String area = rel.getName(0).toString();
                String owner = rel.getNameCount() > 1 ? rel.getName(1).toString() : "";
                if (area.equals("containers") && !records.containsKey(owner)) {
                    found.add(new Violation("a mount of a container no record has", mount.toString()));
                } else if (area.equals("volumes") && !s.volumes().contains(owner)) {
                    found.add(new Violation("a mount of a volume that does not exist", mount.toString()));
                } else if (!area.equals("containers") && !area.equals("volumes")) {
                    found.add(new Violation("a mount holdfast does not make", mount.toString()));
                }
            } else if (mount.startsWith(s.runRoot())) {
                Path rel = s.runRoot().relativize(mount);
                ContainerView owner = rel.getNameCount() == 2 && rel.getName(0).toString().equals("netns")
                        ? records.get(rel.getName(1).toString()) : null;
                if (owner == null || !owner.hasProcess()) {
                    found.add(new Violation(rel.getName(0).toString().equals("netns")
                            ? "a network namespace of a container that is not running" : "a mount holdfast does not make",
                            mount.toString()));
                }
            }
        }
        for (ContainerView c : s.containers()) {
            Path rootfs = s.dataRoot().resolve("containers").resolve(c.id()).resolve("rootfs");
            if (c.hasProcess() && !mounted.contains(rootfs)) {
                found.add(new Violation("container " + c.id() + " (" + c.name() + ") is recorded running, but its"
                        + " root filesystem is not mounted", rootfs.toString()));
            }
        }
        return found;
    }
}
