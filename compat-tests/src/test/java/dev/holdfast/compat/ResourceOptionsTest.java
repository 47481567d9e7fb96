package dev.holdfast.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Resource limits, process limits and process settings of docker run/create/update (cpuset, memory reservation,
 * swappiness, OOM killer, blkio, ulimits, sysctls, OOM score, extra groups, console size, annotations, env, stop
 * signal), each seen from inside the container, and dockerd's refusals of bad values.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ResourceOptionsTest {
    private static final AtomicInteger NAMES = new AtomicInteger();
    private static final Path CGROUP = Path.of("/sys/fs/cgroup");

    @AutoClose
    private final HoldfastDaemon holdfast = HoldfastDaemon.start();

    @Test
    void cpusetAndMemoryOptionsReachTheContainersCgroupAndUpdateChangesThem() throws IOException {
        String name = name("cpuset");
        docker("run", "-d", "--name", name, "--cpuset-cpus", "1", "--cpuset-mems", "0", "-m", "64m",
                "--memory-reservation", "32m", "--memory-swappiness", "40", "--oom-kill-disable", "busybox",
                "sleep", "1000").assertOk();
        assertEquals("1", inside(name, "sed -n 's/^Cpus_allowed_list:\\t//p' /proc/self/status"));
        assertEquals("1", inside(name, "cat /sys/fs/cgroup/cpuset/cpuset.cpus"));
        assertEquals(String.valueOf(32 << 20), inside(name, "cat /sys/fs/cgroup/memory/memory.soft_limit_in_bytes"));
        assertEquals("40", inside(name, "cat /sys/fs/cgroup/memory/memory.swappiness"));
        assertTrue(inside(name, "cat /sys/fs/cgroup/memory/memory.oom_control").contains("oom_kill_disable 1"));
        assertEquals("1 0 33554432 40 true", docker("inspect", "-f", "{{.HostConfig.CpusetCpus}} "
                + "{{.HostConfig.CpusetMems}} {{.HostConfig.MemoryReservation}} {{.HostConfig.MemorySwappiness}} "
                + "{{.HostConfig.OomKillDisable}}", name).assertOk().out());

        docker("update", "--cpuset-cpus", "0", "--memory-reservation", "48m", name).assertOk();
        assertEquals("0", inside(name, "sed -n 's/^Cpus_allowed_list:\\t//p' /proc/self/status"));
        assertEquals(String.valueOf(48 << 20), inside(name, "cat /sys/fs/cgroup/memory/memory.soft_limit_in_bytes"));
        assertEquals("0 50331648", docker("inspect", "-f", "{{.HostConfig.CpusetCpus}} "
                + "{{.HostConfig.MemoryReservation}}", name).assertOk().out());

        String cpus = Files.readString(CGROUP.resolve("cpuset/cpuset.cpus")).trim();
        assertRefused(docker("run", "--rm", "--cpuset-cpus", "4095", "busybox", "true"),
                "Requested CPUs are not available - requested 4095, available: " + cpus);
        assertRefused(docker("update", "--cpuset-cpus", "4095", name),
                "Requested CPUs are not available - requested 4095, available: " + cpus);
        assertRefused(docker("run", "--rm", "--cpuset-mems", "63", "busybox", "true"),
                "Requested memory nodes are not available - requested 63, available: "
                        + Files.readString(CGROUP.resolve("cpuset/cpuset.mems")).trim());
        assertRefused(docker("run", "--rm", "--cpuset-cpus", "1-0", "busybox", "true"),
                "Invalid value 1-0 for cpuset cpus: invalid format: 1-0");
        assertRefused(docker("run", "--rm", "-m", "16m", "--memory-reservation", "32m", "busybox", "true"),
                "Minimum memory limit can not be less than memory reservation limit, see usage");
        // The CLI checks swappiness itself; the API answers as dockerd does.
        EngineHttp.Response swappiness = create("{\"Image\":\"busybox\",\"HostConfig\":{\"MemorySwappiness\":101}}");
        assertEquals(400, swappiness.status(), swappiness::toString);
        assertEquals("Invalid value: 101, valid memory swappiness range is 0-100", swappiness.message());
        // -1 is "unset": inspect shows null, as dockerd's does.
        String unset = created("{\"Image\":\"busybox\",\"HostConfig\":{\"MemorySwappiness\":-1}}");
        assertEquals("<nil>", docker("inspect", "-f", "{{.HostConfig.MemorySwappiness}}", unset).assertOk().out());
        docker("rm", "-f", name, unset).assertOk();
    }

    @Test
    void blkioThrottlesReachTheCgroupAndWeightNeedsTheHostsSupport() throws IOException {
        String device = blockDevice();
        String majorMinor = Files.readString(Path.of("/sys/class/block", Path.of(device).getFileName().toString(),
                "dev")).trim();
        String name = name("blkio");
        docker("run", "-d", "--name", name, "--device-read-bps", device + ":1mb", "--device-write-bps",
                device + ":2mb", "--device-read-iops", device + ":100", "--device-write-iops", device + ":200",
                "busybox", "sleep", "1000").assertOk();
        assertEquals(majorMinor + " 1048576", inside(name, "cat /sys/fs/cgroup/blkio/blkio.throttle.read_bps_device"));
        assertEquals(majorMinor + " 2097152", inside(name, "cat /sys/fs/cgroup/blkio/blkio.throttle.write_bps_device"));
        assertEquals(majorMinor + " 100", inside(name, "cat /sys/fs/cgroup/blkio/blkio.throttle.read_iops_device"));
        assertEquals(majorMinor + " 200", inside(name, "cat /sys/fs/cgroup/blkio/blkio.throttle.write_iops_device"));
        assertRefused(docker("run", "--rm", "--device-read-bps", "/dev/holdfast-none:1mb", "busybox", "true"),
                "stat /dev/holdfast-none: no such file or directory");

        // The weight files exist only under a proportional I/O scheduler (CFQ, BFQ): applied there, refused elsewhere.
        Path weightFile = Stream.of("blkio.weight", "blkio.bfq.weight").map(f -> CGROUP.resolve("blkio").resolve(f))
                .filter(Files::exists).findFirst().orElse(null);
        DockerResult weighted = docker("run", "--rm", "--blkio-weight", "300", "busybox", "sh", "-c",
                "cat /sys/fs/cgroup/blkio/" + (weightFile == null ? "blkio.weight" : weightFile.getFileName()));
        if (weightFile != null) {
            assertTrue(weighted.assertOk().out().contains("300"), weighted::toString);
        } else {
            assertRefused(weighted, "Your kernel does not support Block I/O weight or the cgroup is not mounted: "
                    + "HostConfig.BlkioWeight cannot be applied on this host");
            assertRefused(docker("update", "--blkio-weight", "300", name), "Your kernel does not support Block I/O "
                    + "weight or the cgroup is not mounted: HostConfig.BlkioWeight cannot be applied on this host");
        }
        EngineHttp.Response range = create("{\"Image\":\"busybox\",\"HostConfig\":{\"BlkioWeight\":5}}");
        assertEquals(400, range.status(), range::toString);
        assertEquals("Range of blkio weight is from 10 to 1000", range.message());
        docker("rm", "-f", name).assertOk();
    }

    @Test
    void ulimitsReplaceTheDefaultsAndUnknownOnesAreRefused() {
        DockerResult limits = docker("run", "--rm", "--ulimit", "nofile=1024:2048", "--ulimit", "nproc=100:200",
                "--ulimit", "core=-1", "busybox", "sh", "-c",
                "ulimit -n; ulimit -Hn; ulimit -c; grep 'Max processes' /proc/self/limits").assertOk();
        List<String> lines = limits.stdout().lines().toList();
        assertEquals(List.of("1024", "2048", "unlimited"), lines.subList(0, 3), limits::toString);
        assertTrue(lines.get(3).matches("Max processes\\s+100\\s+200\\s+processes\\s*"), limits::toString);
        // Without --ulimit nofile the daemon's default stays.
        String defaultNofile = docker("run", "--rm", "busybox", "sh", "-c", "ulimit -n").assertOk().out();
        assertEquals(defaultNofile, docker("run", "--rm", "--ulimit", "nproc=100", "busybox", "sh", "-c",
                "ulimit -n").assertOk().out());

        EngineHttp.Response unknown = create("{\"Image\":\"busybox\",\"HostConfig\":{\"Ulimits\":"
                + "[{\"Name\":\"bogus\",\"Soft\":1,\"Hard\":2}]}}");
        assertEquals(400, unknown.status(), unknown::toString);
        assertEquals("invalid ulimit type: bogus", unknown.message());
        EngineHttp.Response inverted = create("{\"Image\":\"busybox\",\"HostConfig\":{\"Ulimits\":"
                + "[{\"Name\":\"nofile\",\"Soft\":20,\"Hard\":10}]}}");
        assertEquals(400, inverted.status(), inverted::toString);
        assertEquals("ulimit soft limit must be less than or equal to hard limit: 20 > 10", inverted.message());
    }

    @Test
    void namespacedSysctlsAreSetAndOthersRefused() {
        DockerResult set = docker("run", "--rm", "--sysctl", "net.ipv4.ip_forward=1", "--sysctl",
                "kernel.shmmax=1000000", "busybox", "cat", "/proc/sys/net/ipv4/ip_forward", "/proc/sys/kernel/shmmax",
                "/proc/sys/net/ipv4/ip_unprivileged_port_start").assertOk();
        // The last one is dockerd's default for a container with its own network namespace.
        assertEquals(List.of("1", "1000000", "0"), set.stdout().lines().toList(), set::toString);
        assertEquals("1", docker("run", "--rm", "--sysctl", "net.ipv4.ip_unprivileged_port_start=1",
                "busybox", "cat", "/proc/sys/net/ipv4/ip_unprivileged_port_start").assertOk().out(),
                "the container's own value wins over the default");

        assertRefused(docker("run", "--rm", "--network", "host", "--sysctl", "net.ipv4.ip_forward=1", "busybox",
                "true"), "sysctl \"net.ipv4.ip_forward\" not allowed in host network namespace");
        int containers = docker("ps", "-aq").assertOk().stdout().lines().toList().size();
        EngineHttp.Response global = create("{\"Image\":\"busybox\",\"HostConfig\":{\"Sysctls\":"
                + "{\"kernel.panic\":\"1\"}}}");
        assertEquals(400, global.status(), global::toString);
        assertEquals("sysctl \"kernel.panic\" is not in a separate kernel namespace", global.message());
        assertEquals(containers, docker("ps", "-aq").assertOk().stdout().lines().toList().size(),
                "a refused create leaves no container");
    }

    @Test
    void oomScoreAdjAndExtraGroupsApplyToTheProcessAndItsExecs() {
        assertEquals("500", docker("run", "--rm", "--oom-score-adj", "500", "busybox", "cat",
                "/proc/self/oom_score_adj").assertOk().out());
        assertRefused(docker("run", "--rm", "--oom-score-adj", "1001", "busybox", "true"),
                "Invalid value 1001, range for oom score adj is [-1000, 1000]");

        String name = name("groups");
        String nogroup = docker("run", "--rm", "busybox", "sed", "-n", "s/^nogroup:[^:]*:\\([0-9]*\\):.*/\\1/p",
                "/etc/group").assertOk().out();
        assertFalse(nogroup.isEmpty(), "busybox's /etc/group names nogroup");
        docker("run", "-d", "--name", name, "--group-add", "1234", "--group-add", "nogroup", "busybox", "sleep",
                "1000").assertOk();
        List<String> groups = List.of(inside(name, "sed -n 's/^Groups:\\t//p' /proc/1/status").trim().split(" "));
        assertTrue(groups.containsAll(List.of("0", "1234", nogroup)), "the container process's groups: " + groups);
        assertEquals(Set.copyOf(groups), Set.of(docker("exec", name, "id", "-G").assertOk().out().split(" ")),
                "an exec's groups");
        docker("rm", "-f", name).assertOk();
        assertRefused(docker("run", "--rm", "--group-add", "nosuchgroup", "busybox", "true"),
                "Unable to find group nosuchgroup: no matching entries in group file");
    }

    @Test
    void consoleSizeSetsTheTtyBeforeAnyResizeAndAnnotationsReachTheSpec() throws IOException {
        String tty = created("{\"Image\":\"busybox\",\"Tty\":true,\"Cmd\":[\"stty\",\"size\"],"
                + "\"HostConfig\":{\"ConsoleSize\":[30,100]}}");
        assertEquals("30 100", docker("start", "-a", tty).assertOk().out());
        assertEquals("[30 100]", docker("inspect", "-f", "{{.HostConfig.ConsoleSize}}", tty).assertOk().out());

        String name = name("annotated");
        docker("run", "-d", "--name", name, "--annotation", "org.example.team=storage", "busybox", "sleep", "1000")
                .assertOk();
        String id = docker("inspect", "-f", "{{.Id}}", name).assertOk().out();
        assertEquals("{\"org.example.team\":\"storage\"}", docker("inspect", "-f", "{{json .HostConfig.Annotations}}",
                name).assertOk().out());
        JsonNode spec = EngineHttp.JSON.readTree(holdfast.runDir().resolve("supervisor/tasks").resolve(id)
                .resolve("config.json").toFile());
        assertEquals("storage", spec.path("annotations").path("org.example.team").asText(), spec::toString);
        EngineHttp.Response empty = create("{\"Image\":\"busybox\",\"HostConfig\":{\"Annotations\":{\"\":\"x\"}}}");
        assertEquals(400, empty.status(), empty::toString);
        docker("rm", "-f", name, tty).assertOk();
    }

    @Test
    void envEntriesWithoutAValueAreKeptAndUnsetTheVariable() {
        String id = created("{\"Image\":\"busybox\",\"Cmd\":[\"/bin/env\"],\"Env\":[\"Foo\",\"Other=one\",\"Blank=\","
                + "\"PATH\"]}");
        assertEquals("[\"Foo\",\"Other=one\",\"Blank=\",\"PATH\"]", docker("inspect", "-f", "{{json .Config.Env}}", id)
                .assertOk().out());
        List<String> env = docker("start", "-a", id).assertOk().stdout().lines().toList();
        assertTrue(env.contains("Other=one") && env.contains("Blank="), env::toString);
        assertFalse(env.stream().anyMatch(e -> e.startsWith("Foo") || e.startsWith("PATH=")),
                "a bare key unsets the variable, even the default PATH: " + env);
        docker("rm", id).assertOk();
    }

    @Test
    void stopDeliversTheStopSignalAndKillsAfterTheStopTimeout() {
        String name = name("stopsignal");
        docker("run", "-d", "--name", name, "--stop-signal", "SIGUSR1", "--stop-timeout", "1", "busybox", "sh", "-c",
                "trap 'echo got-usr1' USR1; echo ready; while true; do sleep 0.1; done").assertOk();
        Await.until(Duration.ofSeconds(30), () -> docker("logs", name).assertOk().out().equals("ready"), "the trap");
        long start = System.nanoTime();
        docker("stop", name).assertOk();
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertTrue(took.compareTo(Duration.ofSeconds(8)) < 0, "StopTimeout 1, not the default 10: " + took);
        assertEquals("ready\ngot-usr1", docker("logs", name).assertOk().out());
        assertEquals("137 SIGUSR1 1", docker("inspect", "-f",
                "{{.State.ExitCode}} {{.Config.StopSignal}} {{.Config.StopTimeout}}", name).assertOk().out());
        docker("rm", name).assertOk();
        assertRefused(docker("run", "--rm", "--stop-signal", "SIGNOPE", "busybox", "true"), "Invalid signal: SIGNOPE");
    }

    // --- helpers ---------------------------------------------------------------------------------------------------

    /** A block device of the host, as {@code /dev/NAME}: the first of /sys/block that has a node in /dev. */
    private static String blockDevice() throws IOException {
        try (Stream<Path> devices = Files.list(Path.of("/sys/block"))) {
            return devices.map(p -> "/dev/" + p.getFileName()).sorted().filter(p -> Files.exists(Path.of(p)))
                    .findFirst().orElseThrow(() -> new AssertionError("no block device on this host"));
        }
    }

    private String inside(String container, String script) {
        return docker("exec", container, "sh", "-c", script).assertOk().out();
    }

    private static void assertRefused(DockerResult result, String message) {
        assertTrue(result.exitCode() != 0, result::toString);
        assertTrue(result.stderr().contains("Error response from daemon: " + message), result::toString);
    }

    private EngineHttp.Response create(String body) {
        return new EngineHttp(holdfast.socket()).post("/v1.47/containers/create", "application/json", body);
    }

    /** The id of a container created through the API with {@code body}. */
    private String created(String body) {
        EngineHttp.Response created = create(body);
        assertEquals(201, created.status(), created::toString);
        return created.json().path("Id").asText();
    }

    private DockerResult docker(String... args) {
        return holdfast.docker(args);
    }

    private static String name(String base) {
        return "res-" + NAMES.incrementAndGet() + "-" + base;
    }
}
