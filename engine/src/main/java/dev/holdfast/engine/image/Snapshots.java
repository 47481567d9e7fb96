package dev.holdfast.engine.image;

import dev.holdfast.engine.host.MountCalls;
import dev.holdfast.engine.host.MountTable;
import dev.holdfast.engine.store.FileTrees;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;


/**
 * A container's writable root filesystem made from an image's, as containerd's overlay snapshotter makes it: an
 * overlayfs mount whose lower directory is the image's unpacked rootfs (never written), with an upper and a work
 * directory of the container's own. In a container directory {@code DIR}:
 * <pre>
 * DIR/diff/     upperdir: what the container wrote (its SizeRw), whiteouts for what it deleted
 * DIR/work/     overlayfs' workdir
 * DIR/rootfs/   the mount point: the container's root filesystem, where the OCI spec's root.path points
 * </pre>
 * Mounts are made with util-linux {@code mount -t overlay} in the engine's mount namespace, which must be the host's
 * (the engine is not started in a namespace of its own), so they outlive the engine; {@code umount} undoes them.
 * Whether something is mounted is read from the {@link MountTable}, never assumed, so every operation here
 * is idempotent: a missing mount (host reboot, crash between steps) is made again, a present one left alone.
 */
public final class Snapshots {
    /** One mount or unmount at a time per mount point: a start and a {@code ps -s} may both want the mount. */
    private static final ConcurrentHashMap<Path, ReentrantLock> LOCKS = new ConcurrentHashMap<>();

    /** The kernel takes one page of mount options. */
    private static final int MAX_MOUNT_OPTIONS = 4095;

    private Snapshots() {}

    public static Path rootfs(Path containerDir) {
        return containerDir.resolve("rootfs");
    }

    public static Path upper(Path containerDir) {
        return containerDir.resolve("diff");
    }

    public static Path work(Path containerDir) {
        return containerDir.resolve("work");
    }

    /**
     * Creates the snapshot in {@code containerDir} (which must exist and hold none yet) and mounts it. A failure
     * unmounts and removes what it made; the exception names the directory and the command that failed.
     */
    public static void prepare(List<Path> lowers, Path containerDir) throws IOException {
        Path rootfs = rootfs(containerDir);
        if (Files.exists(rootfs, LinkOption.NOFOLLOW_LINKS) || Files.exists(upper(containerDir), LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException("snapshot " + containerDir + " already exists");
        }
        try {
            Files.createDirectory(upper(containerDir));
            Files.createDirectory(work(containerDir));
            Files.createDirectory(rootfs);
            // The mount point's root takes the lower root's mode; the upper's own (0755 here) would win otherwise.
            Files.setPosixFilePermissions(upper(containerDir), Files.getPosixFilePermissions(lowers.get(0)));
            ensureMounted(lowers, containerDir);
        } catch (IOException | RuntimeException e) {
            try {
                remove(containerDir);
            } catch (IOException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }

    /**
     * Mounts the snapshot unless its mount point is mounted already (then nothing happens: a live mount, maybe the
     * root of a running container, is never mounted over). True when it mounted. {@code lowers}: the image's layer
     * directories, top first.
     */
    public static boolean ensureMounted(List<Path> lowers, Path containerDir) throws IOException {
        Path rootfs = MountTable.canonical(rootfs(containerDir));
        ReentrantLock lock = LOCKS.computeIfAbsent(rootfs, p -> new ReentrantLock());
        lock.lock();
        try {
            if (MountTable.isMounted(rootfs)) {
                return false;
            }
            if (!Files.isDirectory(upper(containerDir)) || !Files.isDirectory(work(containerDir))) {
                throw new IOException("snapshot " + containerDir + " has no " + upper(containerDir).getFileName()
                        + "/ or " + work(containerDir).getFileName() + "/ directory: it was never prepared or was removed");
            }
            List<String> lowerDirs = new ArrayList<>();
            for (Path lower : lowers) {
                if (!Files.isDirectory(lower)) {
                    throw new IOException("cannot mount snapshot " + rootfs + ": its image's layer " + lower
                            + " is gone");
                }
                lowerDirs.add(option(MountTable.canonical(lower)));
            }
            Files.createDirectories(rootfs);
            String options = "lowerdir=" + String.join(":", lowerDirs)
                    + ",upperdir=" + option(MountTable.canonical(upper(containerDir)))
                    + ",workdir=" + option(MountTable.canonical(work(containerDir)));
            if (options.length() > MAX_MOUNT_OPTIONS) {
                throw new IOException("cannot mount snapshot " + rootfs + ": its image has " + lowers.size()
                        + " layers, more than one overlay mount's options can name from " + lowers.get(0).getParent()
                        .getParent());
            }
            try {
                MountCalls.mount("overlay", rootfs, "overlay", options);
            } catch (IOException e) {
                throw new IOException("mounting the overlay snapshot at " + rootfs + ": " + e.getMessage()
                        + " (overlayfs needs a data root on a filesystem that can hold its upper and work directories,"
                        + " such as ext4, xfs or tmpfs; not overlayfs or NFS)", e);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Unmounts the snapshot (if mounted) and deletes its directories. Absent is fine. A mount that cannot be
     * unmounted (busy) is detached lazily; the directories are only deleted once nothing is mounted there.
     */
    public static void remove(Path containerDir) throws IOException {
        Path rootfs = unmountForGood(containerDir);
        FileTrees.deleteRecursively(upper(containerDir));
        FileTrees.deleteRecursively(work(containerDir));
        // Empty once unmounted; a leftover of a copy-era container holds files, and those go too.
        FileTrees.deleteRecursively(rootfs);
    }

    /**
     * Unmounts the snapshot of a container that is being removed (its directories stay, for the caller to delete);
     * absent is fine. Returns its mount point.
     */
    public static Path unmountForGood(Path containerDir) throws IOException {
        Path rootfs = MountTable.canonical(rootfs(containerDir));
        unmount(rootfs);
        LOCKS.remove(rootfs);
        return rootfs;
    }

    /** Unmounts {@code mountPoint} (every mount stacked there) if mounted; idempotent. */
    public static void unmount(Path mountPoint) throws IOException {
        Path target = MountTable.canonical(mountPoint);
        ReentrantLock lock = LOCKS.computeIfAbsent(target, p -> new ReentrantLock());
        lock.lock();
        try {
            MountTable.unmount(target, "unmounting the snapshot at " + target);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Docker's {@code SizeRw}: the bytes of the regular files in the upper directory, what the container wrote
     * (hard links count once; directories, symlinks and whiteouts nothing). Files that vanish meanwhile are skipped.
     */
    public static long changedBytes(Path containerDir) throws IOException {
        Path upper = upper(containerDir);
        if (!Files.isDirectory(upper, LinkOption.NOFOLLOW_LINKS)) {
            return 0;
        }
        long[] total = {0};
        Set<Object> counted = new HashSet<>();
        Files.walkFileTree(upper, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                if (attrs.isRegularFile() && (attrs.fileKey() == null || counted.add(attrs.fileKey()))) {
                    total[0] += attrs.size();
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
                return FileVisitResult.CONTINUE;
            }
        });
        return total[0];
    }

    // ---- helpers ------------------------------------------------------------------------------------------------

    /** overlayfs splits its options at commas and lowerdir at colons; such paths are refused rather than escaped. */
    private static String option(Path path) throws IOException {
        String s = path.toString();
        if (s.contains(",") || s.contains(":") || s.contains("\\") || s.chars().anyMatch(Character::isWhitespace)) {
            throw new IOException("cannot use " + s + " in an overlay mount: the path holds a comma, colon, backslash"
                    + " or whitespace");
        }
        return s;
    }
}
