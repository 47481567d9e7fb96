package dev.holdfast.supervisor.task;

import dev.holdfast.supervisor.bundle.ExitRecord;
import dev.holdfast.supervisor.bundle.OciSpec;
import dev.holdfast.supervisor.bundle.TaskDirectory;
import dev.holdfast.supervisor.cgroup.MemoryCgroups;
import java.io.IOException;
import java.nio.file.Files;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.logging.Logger;

/**
 * Settles whether a stopped task was OOM-killed (docker's State.OOMKilled): its memory cgroup counted an OOM kill.
 * The cgroup lives until {@code runc delete}, which only Delete runs, so the verdict is read when the supervisor
 * learns of the exit (also at boot, for an exit it missed) and written into exit.json atomically with the exit
 * code, where it outlasts the cgroup and supervisor restarts.
 */
final class OomVerdicts {
    private static final Logger LOG = Logger.getLogger(OomVerdicts.class.getName());

    private final Optional<MemoryCgroups> cgroups;

    /** @param cgroups empty when the host has no memory controller: never OOM-killed by a cgroup limit */
    OomVerdicts(Optional<MemoryCgroups> cgroups) {
        this.cgroups = cgroups;
    }

    /** {@code exit} with its verdict, recorded in the task's exit.json; as is when it has one already. */
    ExitRecord settle(TaskDirectory dir, ExitRecord exit) {
        if (exit.oomKilled().isPresent()) {
            return exit;
        }
        ExitRecord settled = exit.withOomKilled(oomKills(dir) > 0);
        try {
            dir.writeExit(settled);
        } catch (IOException e) {
            LOG.warning("task " + dir.id() + ": cannot record the OOM verdict in " + dir.exitJson() + ": " + e);
        }
        return settled;
    }

    private long oomKills(TaskDirectory dir) {
        if (cgroups.isEmpty()) {
            return 0;
        }
        try {
            String cgroupsPath = OciSpec.cgroupsPath(Files.readAllBytes(dir.configJson()));
            OptionalLong kills = cgroups.get().oomKills(cgroupsPath);
            if (kills.isEmpty()) {
                LOG.warning("task " + dir.id() + ": the memory cgroup of " + cgroupsPath
                        + " has no oom_kill counter (kernel older than 4.13?); OOM kills go unnoticed");
            }
            return kills.orElse(0);
        } catch (IOException | IllegalArgumentException e) {
            LOG.warning("task " + dir.id() + ": cannot read its memory cgroup's OOM kills: " + e.getMessage());
            return 0;
        }
    }
}
