package dev.holdfast.engine.check;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.holdfast.engine.check.InstanceState.ContainerView;
import dev.holdfast.engine.check.InstanceState.DnatRule;
import dev.holdfast.engine.check.InstanceState.DockerCliView;
import dev.holdfast.engine.check.InstanceState.ShimView;
import dev.holdfast.engine.check.InstanceState.SubnetRule;
import dev.holdfast.engine.check.InstanceState.TaskView;
import dev.holdfast.engine.network.Attachment;
import dev.holdfast.engine.network.Endpoint;
import dev.holdfast.engine.network.Network;
import dev.holdfast.engine.network.PortMapping;
import dev.holdfast.engine.network.Subnet;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The invariant families over hand-made readings of an instance: what each one reports, and that a clean one passes. */
class InvariantCheckerTest {
    private static final Path DATA = Path.of("/data");
    private static final Path RUN = Path.of("/run/hf");
    private static final Instant STARTED = Instant.parse("2026-12-04T03:00:00Z");
    private static final String A = "a".repeat(64);
    private static final String B = "b".repeat(64);
    private static final Network BRIDGE = new Network("n1", "bridge", "bridge", "", "hf0", "10.1.0.0/24", "10.1.0.1",
            "", Map.of(), false, false, true, Map.of(), Map.of(), null);

    @Test
    void aRunningAndAStoppedContainerWithEverythingInPlaceBreakNothing() {
        assertEquals(List.of(), problems(new Reading().build()));
    }

    @Test
    void aRunningRecordNeedsItsProcessStartedNoLaterThanItsRunAndATaskThatAgrees() {
        Reading gone = new Reading();
        gone.starts = Map.of();
        assertEquals(List.of("container " + A + " (/a) is recorded running as pid 100, but no such process lives"),
                problems(gone.build()));

        Reading reused = new Reading();
        reused.starts = Map.of(100, STARTED.plusSeconds(30));
        assertEquals(1, problems(reused.build()).size());
        assertEquals(true, problems(reused.build()).get(0).endsWith("another process has its pid"));

        Reading paused = new Reading();
        paused.tasks = List.of(new TaskView(A, "", 100, "paused", 99, 0));
        assertEquals(List.of("container " + A + " (/a) is recorded running, its task is paused"),
                problems(paused.build()));

        Reading noSupervisor = new Reading();
        noSupervisor.tasks = null;
        assertEquals(1, problems(noSupervisor.build()).size());
    }

    @Test
    void tasksAndShimsBelongToRecords() {
        Reading r = new Reading();
        r.tasks = List.of(new TaskView(A, "", 100, "running", 99, 0), new TaskView("c".repeat(64), "", 7, "running", 8, 0));
        r.shims = List.of(new ShimView(99, A), new ShimView(8, "c".repeat(64)), new ShimView(55, B));
        List<String> problems = problems(r.build());
        assertEquals(3, problems.size(), problems.toString());
        assertEquals(true, problems.get(2).endsWith("which the supervisor has no task for (an orphaned shim)"));
    }

    @Test
    void mountsCgroupsAndNamespacesBelongToRunningRecords() {
        Reading r = new Reading();
        r.mounts = List.of(DATA.resolve("containers/" + B + "/rootfs"), DATA.resolve("containers/x/rootfs"),
                DATA.resolve("images/tmp"), RUN.resolve("netns/" + B));
        r.cgroups = List.of(Path.of("/sys/fs/cgroup/pids/hf/" + A), Path.of("/sys/fs/cgroup/pids/hf/" + B));
        r.netns = Set.of(A, B);
        assertEquals(List.of(
                "a mount of a container no record has",
                "a mount holdfast does not make",
                "a network namespace of a container that is not running",
                "container " + A + " (/a) is recorded running, but its root filesystem is not mounted",
                "a cgroup of no running container",
                "a network namespace file of a container that is not running"), problems(r.build()));

        Reading stacked = new Reading();
        stacked.mounts = new ArrayList<>(stacked.mounts);
        stacked.mounts.add(DATA.resolve("containers/" + A + "/rootfs"));
        assertEquals(List.of("2 mounts stacked at one point (holdfast mounts each once: a repeated mount that was never"
                + " undone)"), problems(stacked.build()));
    }

    @Test
    void addressesPortsAndDnatRulesAreHeldOnceAndOnlyByRunningContainers() {
        Reading r = new Reading();
        r.attachments = List.of(attachment(A, "10.1.0.2", 8080), attachment(B, "10.1.0.2", 8080));
        r.dnat = List.of(new DnatRule("tcp", 8080, "10.1.0.2", "rule a"), new DnatRule("tcp", 9090, "10.1.0.9", "x"));
        r.veths = Map.of("hf0", 1);
        List<String> problems = problems(r.build());
        assertEquals(List.of(
                "container " + B + " (/b) is not running but keeps its addresses, ports or namespace",
                "address 10.1.0.2 of network n1 is allocated to two containers, " + A + " and " + B,
                "host port 127.0.0.1:8080/tcp is allocated to two containers, " + A + " and " + B,
                "a DNAT rule to an address and port no running container has",
                "bridge hf0 of network bridge has 1 veths, but 2 running containers are attached to it"), problems);
    }

    @Test
    void aNetworksFirewallRulesLastOnlyWhileARunningContainerIsAttached() {
        Reading r = new Reading();
        r.subnetRules = List.of(new SubnetRule("nat", Subnet.parse("10.1.0.0/24"), "masquerade"),
                new SubnetRule("filter", Subnet.parse("10.1.7.0/24"), "forward 7"));
        assertEquals(List.of("a firewall rule for subnet 10.1.7.0/24, which no network of this instance has"),
                problems(r.build()));

        r.subnetRules = List.of(new SubnetRule("nat", Subnet.parse("10.1.0.0/24"), "masquerade"));
        r.attachments = List.of();
        r.dnat = List.of();
        assertEquals(List.of("bridge hf0 of network bridge has 1 veths, but 0 running containers are attached to it",
                "a firewall rule for network bridge (10.1.0.0/24), to which no running container is attached"),
                problems(r.build()));
    }

    @Test
    void volumeReferencesNameVolumesAndRecordsThatExistAndRecordsAreReadable() {
        Reading r = new Reading();
        r.volumeRefs = Map.of(A, List.of("kept", "lost"), "c".repeat(64), List.of("kept"));
        r.halfDoneVolumes = List.of(DATA.resolve("volumes/.removing-old"));
        r.unreadable = List.of(DATA.resolve("containers/" + B + "/container.json"));
        List<String> problems = new ArrayList<>(problems(r.build()));
        problems.sort(String::compareTo);
        assertEquals(List.of(
                "a container record that cannot be read",
                "a volume whose creation or removal did not finish",
                "container " + A + " mounts volume lost, which does not exist",
                "the mounts of a container no record has"), problems);
    }

    @Test
    void anExitedRecordHasTheExitCodeOfItsStoppedTask() {
        Reading r = new Reading();
        r.tasks = List.of(new TaskView(A, "", 100, "running", 99, 0), new TaskView(B, "", 200, "stopped", 98, 3));
        assertEquals(List.of(), problems(r.build()));
        r.tasks = List.of(new TaskView(A, "", 100, "running", 99, 0), new TaskView(B, "", 200, "stopped", 98, 137));
        assertEquals(List.of("container " + B + " (/b) is recorded exited with code 3, but its task exited with 137"),
                problems(r.build()));
    }

    @Test
    void noExecOfAnExitedContainerIsLeftRunningOrCreated() {
        Reading r = new Reading();
        // Stopped execs go with their stopped task; a running container's execs may be in any state.
        r.tasks = List.of(new TaskView(A, "", 100, "running", 99, 0), new TaskView(A, "e1", 101, "running", 97, 0),
                new TaskView(A, "e2", 0, "created", 96, 0), new TaskView(B, "", 200, "stopped", 98, 3),
                new TaskView(B, "e3", 201, "stopped", 95, 137));
        assertEquals(List.of(), problems(r.build()));
        r.tasks = List.of(new TaskView(A, "", 100, "running", 99, 0), new TaskView(B, "", 200, "stopped", 98, 3),
                new TaskView(B, "e3", 201, "running", 95, 0), new TaskView(B, "e4", 0, "created", 94, 0));
        assertEquals(List.of("exec e3 of container " + B + " (/b) is running (pid 201, shim 95), but the container"
                + " has exited: an exec process or shim left behind", "exec e4 of container " + B + " (/b) is created"
                + " (pid 0, shim 94), but the container has exited: an exec process or shim left behind"),
                problems(r.build()));
    }

    @Test
    void aCounterOnStandardOutputHasNoGapButMayStartOver() {
        assertEquals(null, LogChecks.gap(List.of("5", "6", "7", "5", "6")));
        assertEquals(null, LogChecks.gap(List.of("1", "3")), "two lines are no counter");
        assertEquals(null, LogChecks.gap(List.of("1", "2", "x", "9")), "text is no counter");
        assertEquals("line 4 is 9 after 2 (6 lines missing)", LogChecks.gap(List.of("0", "1", "2", "9", "10")));
        assertEquals("line 3 is 1 after 1", LogChecks.gap(List.of("0", "1", "1")));

        Reading r = new Reading();
        r.logs = Map.of(A, List.of("0", "1", "2", "4"));
        assertEquals(List.of("container " + A + " (/a) counts on its output, but line 4 is 4 after 2 (1 lines missing)"),
                problems(r.build()));
    }

    @Test
    void theDockerCliWorksAndListsExactlyTheRecords() {
        Reading listsOther = new Reading();
        listsOther.cli = new DockerCliView(false, 0, List.of(A, "c".repeat(64)), "");
        assertEquals(List.of("container " + B + " (/b) has a record, but docker ps -a does not list it",
                "docker ps -a lists container " + "c".repeat(64) + ", which has no record"), problems(listsOther.build()));

        Reading down = new Reading();
        down.cli = new DockerCliView(false, 1, List.of(), "Cannot connect to the Docker daemon\n");
        assertEquals(List.of("the docker CLI fails against the engine (exit status 1: Cannot connect to the Docker"
                + " daemon)"), problems(down.build()));

        Reading noCli = new Reading();
        noCli.cli = new DockerCliView(true, 127, List.of(), "timeout: failed to run command 'docker'");
        assertEquals(List.of(), problems(noCli.build()));
    }

    @Test
    void procStatFieldsAreCountedFromTheCommandsLastParenthesis() {
        ProcStat stat = ProcStat.parse("4242 (sh (x) y) S 1 4242 4242 0 -1 4194560 100 0 0 0 0 0 0 0 20 0 1 0 "
                + "987654 4444 100 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n");
        assertEquals(new ProcStat('S', 987654), stat);
        assertEquals(true, ProcStat.parse("7 (z) Z 1 7 7 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 55 0 0").zombie());
    }

    private static Attachment attachment(String id, String ip, int hostPort) {
        return new Attachment(id, Map.of(), Map.of("n1", new Endpoint("n1", "e-" + id, "eth0", ip, 24, "10.1.0.1", "",
                true, "", 0, "")), List.of(new PortMapping("tcp", 80, "127.0.0.1", hostPort)), "");
    }

    private static List<String> problems(InstanceState state) {
        return InvariantChecker.check(state).stream().map(Violation::problem).toList();
    }

    /** A clean reading to spoil: container a running as pid 100, container b exited. */
    private static final class Reading {
        List<TaskView> tasks = List.of(new TaskView(A, "", 100, "running", 99, 0));
        Map<Integer, Instant> starts = Map.of(100, STARTED.minusMillis(300));
        List<ShimView> shims = List.of(new ShimView(99, A));
        List<Path> mounts = List.of(DATA.resolve("containers/" + A + "/rootfs"), RUN.resolve("netns/" + A),
                DATA.resolve("volumes/kept/_data"));
        List<Path> cgroups = List.of(Path.of("/sys/fs/cgroup/pids/hf/" + A));
        Set<String> netns = Set.of(A);
        List<Attachment> attachments = List.of(attachment(A, "10.1.0.2", 8080));
        Map<String, Integer> veths = Map.of("hf0", 1);
        List<DnatRule> dnat = List.of(new DnatRule("tcp", 8080, "10.1.0.2", "rule a"));
        List<SubnetRule> subnetRules = List.of(new SubnetRule("filter", Subnet.parse("10.1.0.0/24"), "forward"));
        Map<String, List<String>> volumeRefs = Map.of(A, List.of("kept"));
        List<Path> halfDoneVolumes = List.of();
        List<Path> unreadable = List.of();
        Map<String, List<String>> logs = Map.of(A, List.of("0", "1", "2", "0", "1"), B, List.of("hello", "7", "9"));
        DockerCliView cli = new DockerCliView(false, 0, List.of(A, B), "");

        InstanceState build() {
            return new InstanceState(DATA, RUN, List.of(new ContainerView(A, "/a", true, false, 100, STARTED, 0),
                    new ContainerView(B, "/b", false, false, 0, null, 3)), unreadable, tasks, "connection refused",
                    starts, shims, mounts, cgroups, netns, List.of(BRIDGE), attachments, veths, dnat, subnetRules, Set.of("kept"),
                    halfDoneVolumes, volumeRefs, logs, Path.of("/run/hf/holdfast.sock"), cli);
        }
    }
}
