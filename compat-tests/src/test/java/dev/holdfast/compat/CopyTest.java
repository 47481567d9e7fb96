package dev.holdfast.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code docker cp} with the real CLI, both ways, into and out of running and stopped containers, through volumes;
 * and the hostile cases: nothing is read from or written to the host outside the container, whatever its
 * symlinks say or however fast it swaps them.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CopyTest {
    @AutoClose
    private final HoldfastDaemon holdfast = HoldfastDaemon.start();

    @Test
    void filesAndDirectoriesGoInAndOutOfARunningContainerKeepingModesAndOwners() throws IOException {
        Path tree = sourceTree("running");
        String id = holdfast.docker("run", "-d", "-v", "cp-running:/data", "busybox", "sleep", "600").assertOk().out();

        holdfast.docker("cp", tree.toString(), id + ":/tmp/").assertOk();
        holdfast.docker("cp", tree.resolve("top.txt").toString(), id + ":/data/in-volume.txt").assertOk();
        assertEquals("-rwxr-x--- 1234:2345 top",
                holdfast.docker("exec", id, "sh", "-c", "stat -c '%A %u:%g' /tmp/running/top.txt | tr '\\n' ' ';"
                        + " cat /tmp/running/top.txt").assertOk().out());
        assertEquals("nested", holdfast.docker("exec", id, "cat", "/tmp/running/sub/nested.txt").assertOk().out());
        assertEquals("top.txt", holdfast.docker("exec", id, "readlink", "/tmp/running/link").assertOk().out());
        assertEquals("top", holdfast.docker("exec", id, "cat", "/data/in-volume.txt").assertOk().out());

        holdfast.docker("exec", id, "sh", "-c", "mkdir -p /made/deep && echo made > /made/deep/f && chmod 604 /made/deep/f"
                + " && echo vol > /data/written-inside").assertOk();
        Path out = holdfast.root().resolve("out-running");
        holdfast.docker("cp", id + ":/made", out.toString()).assertOk();
        assertEquals("made\n", Files.readString(out.resolve("deep/f")));
        assertEquals("rw----r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(out.resolve("deep/f"))));
        String listing = holdfast.docker("cp", id + ":/data", "-").assertOk().stdout();
        assertTrue(listing.contains("written-inside") && listing.contains("in-volume.txt"), "tar of the volume");

        holdfast.docker("rm", "-f", id).assertOk();
        holdfast.docker("volume", "rm", "cp-running").assertOk();
    }

    @Test
    void aStoppedContainerIsCopiedIntoAndOutOfItsRootAndItsVolume() throws IOException {
        Path tree = sourceTree("stopped");
        String id = holdfast.docker("create", "-v", "cp-stopped:/data", "busybox", "sh", "-c",
                "cat /root/stopped/top.txt /data/stopped/sub/nested.txt").assertOk().out();
        holdfast.docker("cp", tree.toString(), id + ":/root/").assertOk();
        holdfast.docker("cp", tree.toString(), id + ":/data/").assertOk();

        assertEquals("topnested", holdfast.docker("start", "-a", id).assertOk().out());
        Path out = holdfast.root().resolve("out-stopped");
        holdfast.docker("cp", id + ":/data/stopped/sub/nested.txt", out.toString()).assertOk();
        assertEquals("nested", Files.readString(out));
        holdfast.docker("cp", id + ":/etc/passwd", holdfast.root().resolve("passwd").toString()).assertOk();
        assertTrue(Files.readString(holdfast.root().resolve("passwd")).startsWith("root:"));

        holdfast.docker("rm", "-v", id).assertOk();
        holdfast.docker("volume", "rm", "cp-stopped").assertOk();
    }

    @Test
    void missingPathsAndReadOnlyRootsAreRefusedWithDockersErrors() {
        String id = holdfast.docker("run", "-d", "--read-only", "-v", "/scratch", "busybox", "sleep", "600")
                .assertOk().out();
        DockerResult missing = holdfast.docker("cp", id + ":/no/such/file", holdfast.root().resolve("x").toString());
        assertFalse(missing.ok());
        assertTrue(missing.stderr().contains("Could not find the file /no/such/file in container"), missing::toString);

        Path file = holdfast.root().resolve("ro.txt");
        writeHost(file, "ro");
        DockerResult readOnly = holdfast.docker("cp", file.toString(), id + ":/tmp/");
        assertFalse(readOnly.ok());
        assertTrue(readOnly.stderr().contains("read-only"), readOnly::toString);
        holdfast.docker("cp", file.toString(), id + ":/scratch/").assertOk();
        assertEquals("ro", holdfast.docker("exec", id, "cat", "/scratch/ro.txt").assertOk().out());
        holdfast.docker("rm", "-f", "-v", id).assertOk();
    }

    @Test
    void symlinksInTheContainerNeverLeadToTheHost() throws IOException {
        Path secretDir = Files.createDirectories(holdfast.root().resolve("host-secret"));
        writeHost(secretDir.resolve("secret"), "host only");
        String hostDir = secretDir.toString();
        String id = holdfast.docker("run", "-d", "busybox", "sh", "-c",
                "ln -s " + hostDir + " /absolute && ln -s /hop2 /hop1 && ln -s ../../../../.." + hostDir + " /hop2"
                        + " && ln -s ../../../../../.. /up && exec sleep 600").assertOk().out();
        Await.until(Duration.ofSeconds(10), () -> holdfast.docker("exec", id, "test", "-L", "/up").ok(), "links made");

        for (String path : new String[] {"/absolute/secret", "/hop1/secret", "/up" + hostDir + "/secret",
                "/../../.." + hostDir + "/secret"}) {
            DockerResult read = holdfast.docker("cp", id + ":" + path, "-");
            assertFalse(read.ok() && read.stdout().contains("host only"), () -> path + " read the host: " + read);
        }

        Path planted = holdfast.root().resolve("planted.txt");
        writeHost(planted, "planted");
        for (String path : new String[] {"/absolute/", "/hop1/", "/up" + hostDir + "/"}) {
            holdfast.docker("cp", planted.toString(), id + ":" + path);
        }
        assertFalse(Files.exists(secretDir.resolve("planted.txt")), "written through a symlink to the host");
        holdfast.docker("rm", "-f", id).assertOk();
    }

    /**
     * CVE-2018-15664's case: the container swaps a directory for a symlink to {@code /} in a tight loop while files
     * are copied in and out through it. Whatever each copy meets, it stays in the container.
     */
    @Test
    void aContainerSwappingADirectoryForASymlinkToRootCannotRedirectACopy() throws IOException {
        String marker = "swap-" + UUID.randomUUID().toString().substring(0, 8);
        String id = holdfast.docker("run", "-d", "busybox", "sh", "-c",
                "mkdir -p /w; while true; do mv /w /w.dir && ln -s / /w && rm /w && mv /w.dir /w; done")
                .assertOk().out();
        Path planted = holdfast.root().resolve(marker);
        writeHost(planted, "planted");

        Instant until = Instant.now().plusSeconds(8);
        int copies = 0;
        while (Instant.now().isBefore(until)) {
            holdfast.docker("cp", planted.toString(), id + ":/w/");
            DockerResult read = holdfast.docker("cp", id + ":/w/etc/shadow", "-");
            assertFalse(read.ok() && read.stdout().contains("root:"), "read the host's /etc/shadow");
            copies++;
        }
        assertTrue(copies > 5, "copies made while the container swapped: " + copies);
        assertFalse(Files.exists(Path.of("/", marker), LinkOption.NOFOLLOW_LINKS), "a copy landed in the host's /");
        String inside = holdfast.docker("exec", id, "sh", "-c", "ls /" + marker + " /w/" + marker + " /w.dir/" + marker
                + " 2>/dev/null; true").assertOk().stdout();
        assertTrue(inside.contains(marker), "no copy landed in the container at all: " + inside);
        holdfast.docker("rm", "-f", id).assertOk();
    }

    /** A tree with a file of mode 0750 owned by 1234:2345, a subdirectory and a relative symlink. */
    private Path sourceTree(String name) throws IOException {
        Path tree = Files.createDirectories(holdfast.root().resolve("src").resolve(name));
        Files.createDirectories(tree.resolve("sub"));
        writeHost(tree.resolve("top.txt"), "top");
        writeHost(tree.resolve("sub/nested.txt"), "nested");
        Files.setPosixFilePermissions(tree.resolve("top.txt"), PosixFilePermissions.fromString("rwxr-x---"));
        NetworkLeftovers.host("chown", "1234:2345", tree.resolve("top.txt").toString());
        Files.createSymbolicLink(tree.resolve("link"), Path.of("top.txt"));
        return tree;
    }

    private static void writeHost(Path file, String content) {
        try {
            Files.writeString(file, content);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
