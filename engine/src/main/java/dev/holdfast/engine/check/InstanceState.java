package dev.holdfast.engine.check;

import dev.holdfast.engine.network.Attachment;
import dev.holdfast.engine.network.Network;
import dev.holdfast.engine.network.Subnet;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Everything the checker read of one instance, at one moment: its records (the engine's files) and the host's
 * reality (the supervisor's tasks, /proc, the mount table, cgroups, namespaces, links, firewall rules). Plain data,
 * so that each family of checks is a pure function of it.
 *
 * @param tasks the supervisor's tasks; null when it did not answer ({@code tasksUnavailable} says why)
 * @param processStarts start time of each live (not zombie) process the records and tasks name
 * @param mounts mount points under the data and run directories, once per mount (two stacked: listed twice)
 * @param cgroups each directory under the instance's cgroup parent, in every hierarchy
 * @param netnsFiles names of the files in {@code <run>/netns}
 * @param vethsByBridge how many links each of the instance's existing bridges has as their master
 * @param dnatRules netavark's DNAT rules whose destination is in one of the instance's networks
 * @param subnetRules the firewall rules (filter and nat) naming a subnet of the instance's: one of its networks', its
 *     default bridge's or one in its pool of subnets for networks
 * @param volumeRefs the named volumes each container's mounts file names, by container id
 * @param stdoutLines each container's complete standard output lines in its json-file log, oldest first
 * @param apiSocket the engine's API socket
 * @param dockerCli what {@code docker ps -a} against {@code apiSocket} answered
 */
public record InstanceState(
        Path dataRoot,
        Path runRoot,
        List<ContainerView> containers,
        List<Path> unreadableRecords,
        List<TaskView> tasks,
        String tasksUnavailable,
        Map<Integer, Instant> processStarts,
        List<ShimView> shims,
        List<Path> mounts,
        List<Path> cgroups,
        Set<String> netnsFiles,
        List<Network> networks,
        List<Attachment> attachments,
        Map<String, Integer> vethsByBridge,
        List<DnatRule> dnatRules,
        List<SubnetRule> subnetRules,
        Set<String> volumes,
        List<Path> halfDoneVolumeDirs,
        Map<String, List<String>> volumeRefs,
        Map<String, List<String>> stdoutLines,
        Path apiSocket,
        DockerCliView dockerCli) {

    /** The containers by id. */
    public Map<String, ContainerView> containersById() {
        return containers.stream().collect(Collectors.toMap(ContainerView::id, Function.identity()));
    }

    /**
     * A container record as the checker needs it; {@code startedAt} of the run its pid belongs to, {@code exitCode}
     * of its last run when it has no process.
     */
    public record ContainerView(String id, String name, boolean hasProcess, boolean paused, int pid,
            Instant startedAt, int exitCode) {}

    /** One of the supervisor's tasks; {@code execId} is empty for a container's init process. */
    public record TaskView(String id, String execId, int pid, String status, int shimPid, int exitCode) {}

    /**
     * {@code docker ps -a --no-trunc -q} against the engine: its exit status, the ids it listed and what it printed;
     * {@code missing} when no docker CLI is installed (nothing is then checked).
     */
    public record DockerCliView(boolean missing, int exitCode, List<String> ids, String output) {}

    /** A running shim process of this instance and the task id it was started for. */
    public record ShimView(int pid, String taskId) {}

    /** A DNAT of {@code protocol} host port {@code hostPort} to {@code destination} (an address of the instance). */
    public record DnatRule(String protocol, int hostPort, String destination, String rule) {}

    /** A firewall rule of {@code table} that matches packets from or to {@code subnet}. */
    public record SubnetRule(String table, Subnet subnet, String rule) {}
}
