package dev.holdfast.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Named and anonymous volumes of the {@code local} driver with the docker CLI: data outlives its container, a new
 * volume is filled from the image, anonymous volumes go with {@code rm -v}, a volume in use cannot be removed, and
 * drivers or options holdfast lacks are refused.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class VolumesTest {
    private static final AtomicInteger NAMES = new AtomicInteger();

    @AutoClose
    private final HoldfastDaemon holdfast = HoldfastDaemon.start();

    /** A crash between a create's mounts record and its container record must not keep the volume in use. */
    @Test
    void aMountsRecordOfNoContainerIsDroppedAtBootAndHoldsNoVolume() throws java.io.IOException {
        String volume = name("orphaned");
        docker("volume", "create", volume).assertOk();
        holdfast.crashEngineForGood();
        Path orphan = holdfast.dataDir().resolve("mounts/" + "e".repeat(64) + ".json");
        Files.writeString(orphan, "[{\"Type\":\"volume\",\"Name\":\"" + volume + "\",\"Source\":\"\","
                + "\"Destination\":\"/data\",\"ReadOnly\":false,\"Propagation\":\"\",\"Anonymous\":false,"
                + "\"Options\":\"\"}]");
        holdfast.engine("start");

        docker("volume", "rm", volume).assertOk();
        assertFalse(Files.exists(orphan), "the boot drops the mounts record of a container that does not exist");
    }

    @Test
    void dataWrittenToANamedVolumeIsReadByTheNextContainer() {
        String volume = name("data");
        assertEquals(volume, docker("volume", "create", "--label", "tier=db", volume).assertOk().out());
        docker("run", "--rm", "-v", volume + ":/data", "busybox", "sh", "-c", "echo kept > /data/file").assertOk();
        assertEquals("kept", docker("run", "--rm", "-v", volume + ":/data:ro", "busybox", "cat", "/data/file")
                .assertOk().out());
        assertNotEquals(0, docker("run", "--rm", "-v", volume + ":/data:ro", "busybox", "touch", "/data/x").exitCode(),
                "a read-only volume refuses writes");
        String mountpoint = docker("volume", "inspect", "-f", "{{.Mountpoint}}", volume).assertOk().out();
        assertTrue(Files.exists(Path.of(mountpoint, "file")), mountpoint);
        assertEquals(volume, docker("volume", "ls", "-q", "--filter", "label=tier=db").assertOk().out());
        docker("volume", "rm", volume).assertOk();
        assertFalse(Files.exists(Path.of(mountpoint)), "the data goes with the volume");
    }

    @Test
    void aNewVolumeIsFilledFromTheImageUnlessNocopy() {
        String filled = name("etc");
        assertTrue(docker("run", "--rm", "-v", filled + ":/etc", "busybox", "cat", "/etc/passwd").assertOk().out()
                .startsWith("root:"), "the image's /etc was copied into the new volume");
        String empty = name("nocopy");
        assertEquals("", docker("run", "--rm", "-v", empty + ":/etc:nocopy", "busybox", "ls", "/etc").assertOk().out()
                .lines().filter(l -> l.equals("passwd")).findFirst().orElse(""));
        docker("volume", "rm", filled, empty).assertOk();
    }

    @Test
    void anonymousVolumesGoWithRmV() {
        List<String> before = volumes();
        String c = name("anon");
        docker("run", "-d", "--name", c, "-v", "/scratch", "busybox", "sleep", "3600").assertOk();
        String anonymous = docker("inspect", "-f", "{{range .Mounts}}{{.Name}}{{end}}", c).assertOk().out();
        assertTrue(volumes().contains(anonymous), () -> anonymous + " in " + volumes());
        docker("rm", "-f", "-v", c).assertOk();
        assertEquals(before, volumes(), "rm -v removed the anonymous volume");
        docker("run", "--rm", "-v", "/scratch", "busybox", "true").assertOk();
        assertEquals(before, volumes(), "--rm removed the anonymous volume");
    }

    @Test
    void aVolumeInUseIsNotRemovedAndPruneTakesOnlyUnusedOnes() {
        String volume = name("busy");
        String c = name("user");
        docker("run", "-d", "--name", c, "-v", volume + ":/d", "busybox", "sleep", "3600").assertOk();
        DockerResult rm = docker("volume", "rm", volume);
        assertNotEquals(0, rm.exitCode(), rm::toString);
        assertTrue(rm.stderr().contains("volume is in use"), rm::toString);
        String unused = name("unused");
        docker("volume", "create", unused).assertOk();
        docker("volume", "prune", "-f").assertOk();
        assertTrue(volumes().contains(unused), "prune takes anonymous volumes only (API >= 1.42)");
        docker("volume", "prune", "-a", "-f").assertOk();
        assertFalse(volumes().contains(unused), "prune -a takes unused named ones too");
        assertTrue(volumes().contains(volume), "but not one in use");
        docker("rm", "-f", c).assertOk();
        docker("volume", "rm", volume).assertOk();
    }

    @Test
    void driversAndOptionsHoldfastLacksAreRefused() {
        DockerResult driver = docker("volume", "create", "-d", "nfs-driver", name("x"));
        assertTrue(driver.stderr().contains("plugin \"nfs-driver\" not found"), driver::toString);
        assertTrue(driver.stderr().contains("not supported by holdfast yet"), driver::toString);
        DockerResult options = docker("volume", "create", "-o", "type=nfs", "-o", "device=:/export", name("y"));
        assertTrue(options.stderr().contains("the local volume type \"nfs\"")
                && options.stderr().contains("is not supported by holdfast yet"), options::toString);
        DockerResult unknown = docker("volume", "create", "-o", "colour=blue", name("z"));
        assertTrue(unknown.stderr().contains("invalid option key: \"colour\""), unknown::toString);
        DockerResult viaContainer = docker("run", "--rm", "--volume-driver", "nfs-driver", "-v", name("w") + ":/w",
                "busybox", "true");
        assertTrue(viaContainer.stderr().contains("plugin \"nfs-driver\" not found"), viaContainer::toString);
        String unused = docker("create", "--volume-driver", "nfs-driver", "busybox", "true").assertOk().out();
        assertEquals("nfs-driver", docker("inspect", "-f", "{{.HostConfig.VolumeDriver}}", unused).assertOk().out());
        docker("rm", unused).assertOk();
        DockerResult bad = docker("run", "--rm", "-v", "bad name:/x", "busybox", "true");
        assertNotEquals(0, bad.exitCode(), bad::toString);
    }

    @Test
    void localDriverOptionsMountATmpfsOrAHostDirectoryWhileAContainerRuns() throws Exception {
        String tmpfs = name("opt-tmpfs");
        docker("volume", "create", "-o", "type=tmpfs", "-o", "device=tmpfs", "-o", "o=size=2m", tmpfs).assertOk();
        assertEquals("2048 empty", docker("run", "--rm", "-v", tmpfs + ":/t", "busybox", "sh", "-c",
                "echo x > /t/f; df -k /t | tail -1 | awk '{printf $2}'; echo").assertOk().out() + " "
                + docker("run", "--rm", "-v", tmpfs + ":/t", "busybox", "sh", "-c", "ls /t | grep . || echo empty")
                        .assertOk().out());

        Path device = Files.createDirectories(holdfast.root().resolve("bind-device"));
        Files.writeString(device.resolve("host.txt"), "from the host");
        String bind = name("opt-bind");
        docker("volume", "create", "-o", "type=none", "-o", "o=bind", "-o", "device=" + device, bind).assertOk();
        assertEquals("from the host", docker("run", "--rm", "-v", bind + ":/b", "busybox", "sh", "-c",
                "cat /b/host.txt; echo back > /b/back.txt").assertOk().out());
        assertEquals("back\n", Files.readString(device.resolve("back.txt")));

        String events = Await.value(java.time.Duration.ofSeconds(10), () -> docker("events", "--since", "1h",
                "--until", "0s", "--filter", "type=volume", "--filter", "volume=" + bind, "--format",
                "{{.Action}}").assertOk().out(), out -> out.contains("unmount"), "volume mount events");
        assertEquals(List.of("create", "mount", "unmount"), events.lines().toList());

        docker("volume", "rm", tmpfs, bind).assertOk();
        assertTrue(Files.exists(device.resolve("host.txt")), "removing the volume must leave its device alone");
        assertFalse(NetworkLeftovers.host("cat", "/proc/self/mountinfo").contains(tmpfs),
                "a volume's mount outlived its containers");
    }

    @Test
    void tmpfsIsEmptyAtEachStartAndHonoursItsSize() {
        String c = name("tmpfs");
        docker("create", "--name", c, "--tmpfs", "/cache:size=1m", "busybox", "sh", "-c",
                "ls /cache; touch /cache/was-here; df -k /cache | tail -1").assertOk();
        String first = docker("start", "-a", c).assertOk().out();
        String second = docker("start", "-a", c).assertOk().out();
        assertFalse(first.contains("was-here") || second.contains("was-here"), first + second);
        assertTrue(second.matches("(?s).*tmpfs\\s+1024\\s.*"), second);
        assertEquals("2048k 1770", docker("run", "--rm", "--mount",
                "type=tmpfs,target=/t,tmpfs-size=2097152,tmpfs-mode=1770", "busybox", "sh", "-c",
                "mount | grep ' /t ' | grep -o 'size=[0-9]*k' | cut -d= -f2 | tr '\\n' ' '; stat -c %a /t")
                .assertOk().out());
        docker("rm", c).assertOk();
    }

    @Test
    void bindMountsFollowDockersRules() throws Exception {
        Path dir = Files.createDirectories(holdfast.root().resolve("bind-src"));
        Files.writeString(dir.resolve("f"), "from the host\n");
        assertEquals("from the host", docker("run", "--rm", "--mount", "type=bind,source=" + dir + ",target=/x,readonly",
                "busybox", "cat", "/x/f").assertOk().out());
        assertNotEquals(0, docker("run", "--rm", "-v", dir + ":/x:ro", "busybox", "touch", "/x/g").exitCode());
        docker("run", "--rm", "-v", dir + ":/x", "busybox", "sh", "-c", "echo back > /x/g").assertOk();
        assertEquals("back\n", Files.readString(dir.resolve("g")), "a bind writes to the host");
        Path missing = holdfast.root().resolve("missing");
        DockerResult strict = docker("run", "--rm", "--mount", "type=bind,source=" + missing + ",target=/x", "busybox",
                "true");
        assertTrue(strict.stderr().contains("bind source path does not exist: " + missing), strict::toString);
        docker("run", "--rm", "-v", missing + ":/x", "busybox", "true").assertOk();
        assertTrue(Files.isDirectory(missing), "-v creates a missing source, --mount does not");
    }

    @Test
    void volumesFromAndReadOnlyRootKeepVolumesWritable() {
        String owner = name("owner");
        String volume = name("shared");
        docker("run", "-d", "--name", owner, "-v", volume + ":/shared", "busybox", "sh", "-c",
                "echo shared > /shared/s; sleep 3600").assertOk();
        Await.until(java.time.Duration.ofSeconds(30), () -> docker("exec", owner, "cat", "/shared/s").ok(),
                "the owner wrote its file");
        assertEquals("shared", docker("run", "--rm", "--volumes-from", owner, "busybox", "cat", "/shared/s")
                .assertOk().out());
        assertNotEquals(0, docker("run", "--rm", "--volumes-from", owner + ":ro", "busybox", "touch", "/shared/t")
                .exitCode(), ":ro makes them read-only");
        assertEquals("writable", docker("run", "--rm", "--read-only", "-v", volume + ":/w", "busybox", "sh", "-c",
                "touch /w/ok && echo writable").assertOk().out());
        assertNotEquals(0, docker("run", "--rm", "--read-only", "busybox", "touch", "/nope").exitCode());
        docker("rm", "-f", owner).assertOk();
        docker("volume", "rm", volume).assertOk();
    }

    /** Mounts are kernel state made before the task: a running container keeps them through daemon restarts. */
    @Test
    void aRunningContainerKeepsItsVolumeAndBindAcrossEngineAndSupervisorKills() throws Exception {
        Path dir = Files.createDirectories(holdfast.root().resolve("kept-bind"));
        String volume = name("kept");
        String c = name("keeper");
        docker("run", "-d", "--name", c, "-v", volume + ":/v", "-v", dir + ":/b", "busybox", "sh", "-c",
                "i=0; while true; do echo $i > /v/n; echo $i > /b/n; i=$((i+1)); sleep 0.1; done").assertOk();
        holdfast.engine("kill").assertOk();
        holdfast.supervisor("kill").assertOk();
        holdfast.supervisor("start").assertOk();
        holdfast.engine("start").assertOk();
        String before = Files.readString(dir.resolve("n")).strip();
        Await.until(java.time.Duration.ofSeconds(30), () -> {
            try {
                return !Files.readString(dir.resolve("n")).strip().equals(before);
            } catch (java.io.IOException e) {
                return false;
            }
        }, "the container still writes through its bind mount");
        String inside = docker("exec", c, "cat", "/v/n").assertOk().out();
        assertFalse(inside.isEmpty(), "the volume is still mounted");
        assertEquals(List.of(volume), docker("inspect", "-f", "{{range .Mounts}}{{.Name}} {{end}}", c).assertOk().out()
                .lines().flatMap(l -> java.util.Arrays.stream(l.split(" "))).filter(n -> !n.isBlank()).toList());
        docker("rm", "-f", c).assertOk();
        docker("volume", "rm", volume).assertOk();
    }

    @Test
    void systemDfCountsImagesContainersAndVolumesWithTheirSizes() {
        String volume = name("sized");
        String c = name("sizer");
        docker("run", "--name", c, "-v", volume + ":/d", "busybox", "sh", "-c",
                "dd if=/dev/zero of=/d/f bs=1024 count=100 2>/dev/null").assertOk();
        List<String> lines = docker("system", "df", "-v").assertOk().out().lines().toList();
        assertTrue(lines.stream().anyMatch(l -> l.matches(java.util.regex.Pattern.quote(volume) + "\\s+1\\s+102\\.4kB")),
                () -> String.join("\n", lines));
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("busybox ")), () -> String.join("\n", lines));
        docker("rm", c).assertOk();
        docker("volume", "rm", volume).assertOk();
    }

    private List<String> volumes() {
        return docker("volume", "ls", "-q").assertOk().out().lines().sorted().toList();
    }

    private static String name(String prefix) {
        return "vol-" + prefix + "-" + NAMES.incrementAndGet();
    }

    private DockerResult docker(String... args) {
        return holdfast.docker(args);
    }
}
