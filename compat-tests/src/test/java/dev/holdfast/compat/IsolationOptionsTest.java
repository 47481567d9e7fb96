package dev.holdfast.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
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
import org.junit.jupiter.api.io.TempDir;

/**
 * Namespaces, privileges, devices and init of a container (--pid, --ipc, --shm-size, --uts, --cgroupns,
 * --cgroup-parent, --privileged, --cap-add/--cap-drop, --device, --device-cgroup-rule, --init), each seen from inside
 * the container through the docker CLI.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IsolationOptionsTest {
    private static final Duration SHORT = Duration.ofSeconds(20);
    private static final AtomicInteger NAMES = new AtomicInteger();

    @AutoClose
    private final HoldfastDaemon holdfast = HoldfastDaemon.start();

    @Test
    void pidModeSharesTheHostsOrAnotherContainersProcesses() {
        assertEquals("cat", docker("run", "--rm", "busybox", "cat", "/proc/1/comm").out());
        long self = ProcessHandle.current().pid();
        docker("run", "--rm", "busybox", "test", "-e", "/proc/" + self).assertExit(1);
        docker("run", "--rm", "--pid", "host", "busybox", "test", "-e", "/proc/" + self).assertOk();

        String holder = name("pidholder");
        docker("run", "-d", "--name", holder, "busybox", "sleep", "1000").assertOk();
        DockerResult joined = docker("run", "--rm", "--pid", "container:" + holder, "busybox", "ps", "-o", "pid,comm");
        assertTrue(joined.assertOk().stdout().matches("(?s).*\\b1 sleep\\b.*"), joined::toString);
        String joiner = name("pidjoiner");
        docker("create", "--name", joiner, "--pid", "container:" + holder, "busybox", "true").assertOk();
        assertEquals("container:" + holder, docker("inspect", "-f", "{{.HostConfig.PidMode}}", joiner).out());
        docker("rm", joiner).assertOk();

        DockerResult unknown = docker("run", "--rm", "--pid", "container:nosuch-" + holder, "busybox", "true");
        assertEquals(125, unknown.exitCode(), unknown::toString);
        assertTrue(unknown.stderr().contains("No such container"), unknown::toString);
        docker("stop", "-t", "0", holder).assertOk();
        DockerResult stopped = docker("run", "--rm", "--pid", "container:" + holder, "busybox", "true");
        assertEquals(125, stopped.exitCode(), stopped::toString);
        assertTrue(stopped.stderr().contains("is not running"), stopped::toString);
        docker("rm", "-f", holder).assertOk();
    }

    @Test
    void ipcModesShareOrIsolateSharedMemory() throws IOException {
        String plain = name("ipcplain");
        docker("create", "--name", plain, "busybox", "true").assertOk();
        assertEquals("private 67108864", docker("inspect", "-f", "{{.HostConfig.IpcMode}} {{.HostConfig.ShmSize}}",
                plain).out());
        docker("rm", plain).assertOk();

        String holder = name("ipcholder");
        docker("run", "-d", "--name", holder, "--ipc", "shareable", "busybox", "sh", "-c",
                "echo shared > /dev/shm/note; sleep 1000").assertOk();
        Await.until(SHORT, () -> docker("exec", holder, "test", "-e", "/dev/shm/note").ok(), "the holder's note");
        String holderIpc = docker("exec", holder, "readlink", "/proc/self/ns/ipc").out();
        assertEquals("shared " + holderIpc, docker("run", "--rm", "--ipc", "container:" + holder, "busybox", "sh", "-c",
                "echo $(cat /dev/shm/note) $(readlink /proc/self/ns/ipc)").out());

        String hostIpc = Files.readSymbolicLink(Path.of("/proc/self/ns/ipc")).toString();
        assertNotEquals(hostIpc, docker("run", "--rm", "busybox", "readlink", "/proc/self/ns/ipc").out());
        assertEquals(hostIpc, docker("run", "--rm", "--ipc", "host", "busybox", "readlink", "/proc/self/ns/ipc").out());
        docker("run", "--rm", "--ipc", "none", "busybox", "test", "-e", "/dev/shm").assertExit(1);

        String isolated = name("ipcprivate");
        docker("run", "-d", "--name", isolated, "busybox", "sleep", "1000").assertOk();
        DockerResult refused = docker("run", "--rm", "--ipc", "container:" + isolated, "busybox", "true");
        assertEquals(125, refused.exitCode(), refused::toString);
        assertTrue(refused.stderr().contains("non-shareable IPC"), refused::toString);
        docker("rm", "-f", holder, isolated).assertOk();
    }

    @Test
    void shmSizeIsTheSizeOfDevShm() {
        assertTrue(docker("run", "--rm", "busybox", "df", "-k", "/dev/shm").out().matches("(?s).*\\s65536\\s.*"));
        DockerResult big = docker("run", "--rm", "--shm-size", "128m", "busybox", "df", "-k", "/dev/shm");
        assertTrue(big.assertOk().out().matches("(?s).*\\s131072\\s.*"), big::toString);
    }

    @Test
    void utsHostGivesTheHostsHostname() throws IOException {
        String host = Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
        assertEquals(host, docker("run", "--rm", "--uts", "host", "busybox", "hostname").out());
        assertNotEquals(host, docker("run", "--rm", "busybox", "hostname").out());
        DockerResult conflict = docker("run", "--rm", "--uts", "host", "-h", "other", "busybox", "true");
        assertEquals(125, conflict.exitCode(), conflict::toString);
        assertTrue(conflict.stderr().contains("Conflicting options: hostname and the UTS mode"), conflict::toString);
    }

    @Test
    void cgroupnsPrivateHidesTheContainersCgroupPath() {
        String name = name("cgroupns");
        docker("run", "--name", name, "busybox", "cat", "/proc/self/cgroup").assertOk();
        String id = docker("inspect", "-f", "{{.Id}}", name).out();
        assertTrue(docker("logs", name).out().contains("/" + id), "host cgroupns shows the container's path");
        docker("rm", name).assertOk();
        String own = docker("run", "--rm", "--cgroupns", "private", "busybox", "cat", "/proc/self/cgroup").out();
        assertFalse(own.isEmpty());
        own.lines().forEach(line -> assertTrue(line.endsWith(":/"), own));
    }

    @Test
    void cgroupParentPlacesTheContainerUnderIt() throws IOException {
        // Under the instance's own parent, which holdfast down removes.
        String instanceParent = Files.readAllLines(holdfast.config()).stream()
                .filter(l -> l.startsWith("cgroup_parent")).findFirst().orElseThrow().replaceAll(".*\"(.*)\".*", "$1");
        String parent = instanceParent + "/custom";
        String name = name("cgparent");
        docker("run", "--name", name, "--cgroup-parent", parent, "busybox", "cat", "/proc/self/cgroup").assertOk();
        String id = docker("inspect", "-f", "{{.Id}}", name).out();
        String cgroups = docker("logs", name).out();
        assertTrue(cgroups.contains(":" + parent + "/" + id + "\n"), cgroups);
        assertEquals(parent, docker("inspect", "-f", "{{.HostConfig.CgroupParent}}", name).out());
        docker("rm", name).assertOk();
    }

    @Test
    void privilegedHasEveryCapabilityDeviceAndAWritableSys() throws IOException {
        String mountTmpfs = "mkdir /m && mount -t tmpfs none /m";
        docker("run", "--rm", "busybox", "sh", "-c", mountTmpfs).assertExit(1);
        docker("run", "--rm", "--privileged", "busybox", "sh", "-c", mountTmpfs).assertOk();

        String mounts = docker("run", "--rm", "--privileged", "busybox", "cat", "/proc/mounts").out();
        assertTrue(mounts.contains("sysfs /sys sysfs rw,"), mounts);
        assertFalse(mounts.contains(" /proc/sys "), "no read-only /proc/sys: " + mounts);
        assertFalse(mounts.contains(" /proc/keys "), "no masked /proc/keys: " + mounts);
        String plainMounts = docker("run", "--rm", "busybox", "cat", "/proc/mounts").out();
        assertTrue(plainMounts.contains("sysfs /sys sysfs ro,") && plainMounts.contains(" /proc/keys "), plainMounts);

        String device = hostCharDevice();
        docker("run", "--rm", "busybox", "test", "-c", device).assertExit(1);
        docker("run", "--rm", "--privileged", "busybox", "test", "-c", device).assertOk();
        String caps = docker("run", "--rm", "--privileged", "busybox", "grep", "CapEff", "/proc/self/status").out();
        long effective = Long.parseLong(caps.substring(caps.indexOf(':') + 1).trim(), 16);
        assertTrue((effective & (1L << 21)) != 0, "CAP_SYS_ADMIN: " + caps);
    }

    @Test
    void capDropAllForbidsChownAndCapAddGrantsIt() {
        docker("run", "--rm", "busybox", "chown", "1", "/tmp").assertOk();
        DockerResult dropped = docker("run", "--rm", "--cap-drop", "ALL", "busybox", "chown", "1", "/tmp");
        assertEquals(1, dropped.exitCode(), dropped::toString);
        assertTrue(dropped.stderr().contains("Operation not permitted"), dropped::toString);
        docker("run", "--rm", "--cap-drop", "ALL", "--cap-add", "CHOWN", "busybox", "chown", "1", "/tmp").assertOk();
    }

    @Test
    void deviceIsCreatedWithItsNumbersAndPermissions(@TempDir Path dir) throws IOException, InterruptedException {
        assertEquals("character special file 1:3", docker("run", "--rm", "--device", "/dev/null:/dev/mynull",
                "busybox", "sh", "-c", "echo x > /dev/mynull && stat -c '%F %t:%T' /dev/mynull").out());
        // Beyond Docker's default devices (which /dev/null is one of), the permissions are the cgroup's: c 1:11
        // (kmsg) mapped read-only cannot be opened for writing, whatever the driver would do.
        Path kmsg = dir.resolve("kmsg");
        assertEquals(0, new ProcessBuilder("mknod", kmsg.toString(), "c", "1", "11").inheritIO().start().waitFor());
        DockerResult readOnly = docker("run", "--rm", "--device", kmsg + ":/dev/mykmsg:r", "busybox", "sh", "-c",
                "test -c /dev/mykmsg && echo x > /dev/mykmsg");
        assertEquals(1, readOnly.exitCode(), readOnly::toString);
        assertTrue(readOnly.stderr().contains("Operation not permitted"), readOnly::toString);

        // The start fails; the CLI exits 127 for an error saying "no such file or directory", as with dockerd.
        DockerResult missing = docker("run", "--rm", "--device", "/dev/nosuch-holdfast", "busybox", "true");
        assertEquals(127, missing.exitCode(), missing::toString);
        assertTrue(missing.stderr().contains("error gathering device information while adding custom device "
                + "\"/dev/nosuch-holdfast\": no such file or directory"), missing::toString);

        // A directory brings every device under it.
        Path devices = Files.createDirectories(dir.resolve("devices/sub"));
        assertEquals(0, new ProcessBuilder("mknod", devices.resolve("zero").toString(), "c", "1", "5").inheritIO()
                .start().waitFor());
        assertEquals("1:5", docker("run", "--rm", "--device", dir.resolve("devices") + ":/dev/mine", "busybox",
                "sh", "-c", "head -c 1 /dev/mine/sub/zero > /dev/null && stat -c %t:%T /dev/mine/sub/zero").out());
    }

    @Test
    void deviceCgroupRuleIsInTheDevicesCgroup() {
        String rule = "c 7:128 rwm";
        DockerResult list = docker("run", "--rm", "--device-cgroup-rule", rule, "busybox", "cat",
                "/sys/fs/cgroup/devices/devices.list");
        assertTrue(list.assertOk().stdout().lines().anyMatch(rule::equals), list::toString);
        // The device cgroup decides whether a node the container makes may be opened (whether the host has such a
        // device is another matter, hence any other error is fine).
        String open = "mknod /tmp/d c 7 128 && cat /tmp/d 2>&1; true";
        assertTrue(docker("run", "--rm", "busybox", "sh", "-c", open).out().contains("Operation not permitted"));
        String allowed = docker("run", "--rm", "--device-cgroup-rule", rule, "busybox", "sh", "-c", open).out();
        assertFalse(allowed.contains("Operation not permitted"), allowed);
    }

    @Test
    void initIsPidOneAndReapsOrphans() {
        String name = name("init");
        docker("run", "--name", name, "--init", "busybox", "cat", "/proc/1/comm").assertOk();
        assertEquals("docker-init", docker("logs", name).out());
        assertEquals("cat [/proc/1/comm] true", docker("inspect", "-f", "{{.Path}} {{.Args}} {{.HostConfig.Init}}",
                name).out());
        docker("rm", name).assertOk();

        // An exec's background child outlives its shell and is handed to pid 1; sleep never reaps it, tini does.
        String plain = name("noinit");
        String withInit = name("withinit");
        docker("run", "-d", "--name", plain, "busybox", "sleep", "1000").assertOk();
        docker("run", "-d", "--name", withInit, "--init", "busybox", "sleep", "1000").assertOk();
        String zombie = orphan(plain);
        Await.until(SHORT, () -> docker("exec", plain, "cat", "/proc/" + zombie + "/stat").out().contains(") Z "),
                "the orphan a zombie under sleep");
        String reaped = orphan(withInit);
        Await.until(SHORT, () -> docker("exec", withInit, "test", "-e", "/proc/" + reaped).exitCode() == 1,
                "the orphan reaped by docker-init");
        assertTrue(docker("exec", plain, "cat", "/proc/" + zombie + "/stat").out().contains(") Z "),
                "the zombie stays");
        docker("rm", "-f", plain, withInit).assertOk();
    }

    /** Starts a short sleep in the background of an exec's shell, which exits at once; returns the sleep's pid. */
    private String orphan(String container) {
        return docker("exec", container, "sh", "-c", "sleep 0.1 & echo $!").assertOk().out();
    }

    /** A character device of the host that a non-privileged container does not get. */
    private static String hostCharDevice() throws IOException {
        Set<String> defaults = Set.of("null", "zero", "full", "random", "urandom", "tty", "console", "ptmx");
        try (Stream<Path> dev = Files.list(Path.of("/dev"))) {
            List<Path> candidates = dev.filter(p -> !defaults.contains(p.getFileName().toString()))
                    .filter(p -> {
                        try {
                            return "c".equals(typeOf(p));
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    }).sorted().toList();
            assertFalse(candidates.isEmpty(), "the host has no character device beyond Docker's defaults");
            return candidates.get(0).toString();
        }
    }

    private static String typeOf(Path p) throws IOException {
        int mode = (int) Files.getAttribute(p, "unix:mode", java.nio.file.LinkOption.NOFOLLOW_LINKS);
        return (mode & 0170000) == 0020000 ? "c" : "";
    }

    private DockerResult docker(String... args) {
        return holdfast.docker(args);
    }

    private static String name(String base) {
        return "iso-" + NAMES.incrementAndGet() + "-" + base;
    }
}
