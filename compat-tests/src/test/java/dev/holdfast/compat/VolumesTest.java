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
        assertTrue(driver.stderr().contains("is not supported by holdfast yet"), driver::toString);
        DockerResult options = docker("volume", "create", "-o", "type=nfs", name("y"));
        assertTrue(options.stderr().contains("is not supported by holdfast yet"), options::toString);
        DockerResult bad = docker("run", "--rm", "-v", "bad name:/x", "busybox", "true");
        assertNotEquals(0, bad.exitCode(), bad::toString);
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
