package dev.holdfast.supervisor.cgroup;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;

/**
 * Removes what a create that died half-way left of a container's cgroup: {@code runc delete --force} cleans up only
 * a container runc recorded, and a runc killed during {@code create} may have made the cgroup (and started
 * {@code runc init} in it) without recording anything. Every process still in it is killed, then the directory
 * is removed, in every hierarchy (the v1 controllers, or the v2 mount).
 */
public final class LeftoverCgroups {
    private static final Logger LOG = Logger.getLogger(LeftoverCgroups.class.getName());
    private static final Path ROOT = Path.of("/sys/fs/cgroup");
    private static final Duration EMPTY_WAIT = Duration.ofSeconds(5);
    private static final String BUSY = "Device or resource busy";

    private LeftoverCgroups() {}

    /** {@code cgroupsPath}: the spec's {@code linux.cgroupsPath} of the container, e.g. {@code /holdfast/ID}. */
    public static void remove(String containerId, String cgroupsPath) {
        String relative = cgroupsPath.replaceAll("^/+", "");
        for (Path hierarchy : hierarchies()) {
            Path dir = hierarchy.resolve(relative);
            if (Files.isDirectory(dir)) {
                try {
                    long deadline = System.nanoTime() + EMPTY_WAIT.toNanos();
                    empty(dir, deadline);
                    deleteOnceExited(dir, deadline);
                    LOG.info("task " + containerId + ": removed the cgroup " + dir + " a failed create left");
                } catch (NoSuchFileException gone) {
                    // removed meanwhile: what was asked for
                } catch (IOException e) {
                    LOG.warning("task " + containerId + ": removing the cgroup " + dir + " a failed create left: " + e);
                }
            }
        }
    }

    private static List<Path> hierarchies() {
        List<Path> found = new ArrayList<>();
        if (Files.exists(ROOT.resolve("cgroup.controllers"))) {
            found.add(ROOT);
            return found;
        }
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(ROOT, Files::isDirectory)) {
            dirs.forEach(found::add);
        } catch (IOException e) {
            LOG.warning("listing the cgroup hierarchies under " + ROOT + ": " + e);
        }
        return found;
    }

    /**
     * Removes {@code dir}, retrying while the kernel answers EBUSY: a killed process leaves a v2 {@code cgroup.procs}
     * as soon as it starts exiting, but keeps the cgroup populated until it has exited (found by scripts/chaos seed
     * 301: the unified directory of a runc killed during create stayed behind).
     */
    private static void deleteOnceExited(Path dir, long deadline) throws IOException {
        while (true) {
            try {
                Files.delete(dir);
                return;
            } catch (FileSystemException e) {
                if (e instanceof NoSuchFileException || !BUSY.equals(e.getReason()) || System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.onSpinWait();
            }
        }
    }

    /** SIGKILLs every process in {@code dir} until none is left (a cgroup with processes cannot be removed). */
    private static void empty(Path dir, long deadline) throws IOException {
        while (true) {
            List<String> pids = Files.readAllLines(dir.resolve("cgroup.procs")).stream()
                    .filter(l -> !l.isBlank()).toList();
            if (pids.isEmpty()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("processes " + pids + " are still in it after " + EMPTY_WAIT.toSeconds() + " s");
            }
            for (String pid : pids) {
                ProcessHandle.of(Long.parseLong(pid.strip())).ifPresent(ProcessHandle::destroyForcibly);
            }
            Thread.onSpinWait();
        }
    }
}
