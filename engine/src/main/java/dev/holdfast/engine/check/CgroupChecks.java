package dev.holdfast.engine.check;

import dev.holdfast.engine.check.InstanceState.ContainerView;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/** Every cgroup under the instance's cgroup parent is a running container's (runc deletes it with the container). */
final class CgroupChecks {
    private CgroupChecks() {}

    static List<Violation> check(InstanceState s) {
        Set<String> running = s.containers().stream().filter(ContainerView::hasProcess).map(ContainerView::id)
                .collect(Collectors.toSet());
        return s.cgroups().stream().filter((Path cgroup) -> !running.contains(cgroup.getFileName().toString()))
                .map(cgroup -> new Violation("a cgroup of no running container", cgroup.toString())).toList();
    }
}
