package dev.holdfast.engine.check;

import java.util.ArrayList;
import java.util.List;

/** Every invariant family over one reading of an instance. */
public final class InvariantChecker {
    private InvariantChecker() {}

    public static List<Violation> check(InstanceState state) {
        List<Violation> found = new ArrayList<>();
        found.addAll(RecordChecks.check(state));
        found.addAll(TaskChecks.check(state));
        found.addAll(MountChecks.check(state));
        found.addAll(CgroupChecks.check(state));
        found.addAll(NetworkChecks.check(state));
        found.addAll(FirewallChecks.check(state));
        found.addAll(VolumeChecks.check(state));
        found.addAll(LogChecks.check(state));
        found.addAll(DockerCliChecks.check(state));
        return found;
    }
}
