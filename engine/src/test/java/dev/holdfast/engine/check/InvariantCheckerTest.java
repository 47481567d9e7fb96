package dev.holdfast.engine.check;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.holdfast.engine.check.InstanceState.ContainerView;
import dev.holdfast.engine.check.InstanceState.DnatRule;
import dev.holdfast.engine.check.InstanceState.ShimView;
import dev.holdfast.engine.check.InstanceState.TaskView;
import dev.holdfast.engine.network.Attachment;
import dev.holdfast.engine.network.Endpoint;
import dev.holdfast.engine.network.Network;
import dev.holdfast.engine.network.PortMapping;
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
        paused.tasks = List.of(new TaskView(A, "", 100, "paused", 99));
        assertEquals(List.of("container " + A + " (/a) is recorded running, its task is paused"),
                problems(paused.build()));

        Reading noSupervisor = new Reading();
        noSupervisor.tasks = null;
        assertEquals(1, problems(noSupervisor.build()).size());
    }

    @Test
    void tasksAndShimsBelongToRecords() {
        Reading r = new Reading();
        r.tasks = List.of(new TaskView(A, "", 100, "running", 99), new TaskView("c".repeat(64), "", 7, "running", 8));
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

    private static Attachment attachment(String id, String ip, int hostPort) {
        return new Attachment(id, Map.of(), Map.of("n1", new Endpoint("n1", "e-" + id, "eth0", ip, 24, "10.1.0.1", "",
                true, "", 0, "")), List.of(new PortMapping("tcp", 80, "127.0.0.1", hostPort)), "");
    }

    private static List<String> problems(InstanceState state) {
        return InvariantChecker.check(state).stream().map(Violation::problem).toList();
    }

    /** A clean reading to spoil: container a running as pid 100, container b exited. */
    private static final class Reading {
        List<TaskView> tasks = List.of(new TaskView(A, "", 100, "running", 99));
        Map<Integer, Instant> starts = Map.of(100, STARTED.minusMillis(300));
        List<ShimView> shims = List.of(new ShimView(99, A));
        List<Path> mounts = List.of(DATA.resolve("containers/" + A + "/rootfs"), RUN.resolve("netns/" + A),
                DATA.resolve("volumes/kept/_data"));
        List<Path> cgroups = List.of(Path.of("/sys/fs/cgroup/pids/hf/" + A));
        Set<String> netns = Set.of(A);
        List<Attachment> attachments = List.of(attachment(A, "10.1.0.2", 8080));
        Map<String, Integer> veths = Map.of("hf0", 1);
        List<DnatRule> dnat = List.of(new DnatRule("tcp", 8080, "10.1.0.2", "rule a"));
        Map<String, List<String>> volumeRefs = Map.of(A, List.of("kept"));
        List<Path> halfDoneVolumes = List.of();
        List<Path> unreadable = List.of();

        InstanceState build() {
            return new InstanceState(DATA, RUN, List.of(new ContainerView(A, "/a", true, false, 100, STARTED),
                    new ContainerView(B, "/b", false, false, 0, null)), unreadable, tasks, "connection refused",
                    starts, shims, mounts, cgroups, netns, List.of(BRIDGE), attachments, veths, dnat, Set.of("kept"),
                    halfDoneVolumes, volumeRefs);
        }
    }
}
