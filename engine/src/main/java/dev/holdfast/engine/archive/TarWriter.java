package dev.holdfast.engine.archive;

import dev.holdfast.engine.host.LibC;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * Writes a file or a directory tree, reached through {@link FileHandle}s, as a tar stream: each entry is opened
 * relative to its directory's handle without following symlinks, so a container that swaps a directory for a symlink
 * mid-copy gets the symlink archived, never what it points to. Hard links come out as tar hard links. The kernel's
 * own filesystems mounted in a running container ({@code /proc}, {@code /sys}, devpts, cgroups, mqueue) are
 * archived as their empty mount points, as dockerd, which never sees them, archives them.
 */
final class TarWriter {
    /** statfs magics of the pseudo filesystems not descended into. */
    private static final Set<Long> PSEUDO_FILESYSTEMS = Set.of(
            0x9fa0L, // proc
            0x62656572L, // sysfs
            0x1cd1L, // devpts
            0x27e0ebL, // cgroup
            0x63677270L, // cgroup2
            0x19800202L, // mqueue
            0x73636673L, // securityfs
            0x64626720L); // debugfs
    private static final int STATFS_SIZE = 120;

    private final BufferedOutputStream buffered;
    private final TarArchiveOutputStream tar;
    private final Map<String, String> firstNameOfInode = new HashMap<>();
    private final byte[] buffer = new byte[128 * 1024];

    TarWriter(OutputStream out) {
        // Fewer, larger writes to the client: the tar stream itself goes out in 10 KiB records.
        buffered = new BufferedOutputStream(out, 256 * 1024);
        tar = new TarArchiveOutputStream(buffered, 10240, "UTF-8");
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
        tar.setAddPaxHeadersForNonAsciiNames(true);
    }

    /** Archives {@code source} (and, for a directory, everything under it) under the entry name {@code name}. */
    void write(FileHandle source, String name) throws IOException {
        add(source, source.status(), name);
        tar.finish();
        buffered.flush(); // the tar stream's own flush does not reach it
    }

    private void add(FileHandle file, FileStatus status, String name) throws IOException {
        switch (status.type()) {
            case FileStatus.S_IFDIR -> addDirectory(file, status, name);
            case FileStatus.S_IFREG -> addRegular(file, status, name);
            case FileStatus.S_IFLNK -> {
                TarArchiveEntry entry = entry(name, TarConstants.LF_SYMLINK, status);
                entry.setLinkName(file.readLink());
                putEmpty(entry);
            }
            case FileStatus.S_IFIFO -> putEmpty(entry(name, TarConstants.LF_FIFO, status));
            case FileStatus.S_IFCHR, FileStatus.S_IFBLK -> {
                TarArchiveEntry entry = entry(name,
                        status.type() == FileStatus.S_IFCHR ? TarConstants.LF_CHR : TarConstants.LF_BLK, status);
                entry.setDevMajor(status.rdevMajor());
                entry.setDevMinor(status.rdevMinor());
                putEmpty(entry);
            }
            default -> { } // sockets have no tar form; dockerd skips them too
        }
    }

    private void addDirectory(FileHandle dir, FileStatus status, String name) throws IOException {
        putEmpty(entry(name.endsWith("/") ? name : name + "/", TarConstants.LF_DIR, status));
        if (isPseudoFilesystem(dir)) {
            return;
        }
        String prefix = name.endsWith("/") ? name : name + "/";
        for (String child : dir.list()) {
            FileHandle handle;
            try {
                handle = dir.child(child, LibC.O_PATH);
            } catch (NativeException e) {
                if (e.errno() == LibC.ENOENT) {
                    continue; // removed since the listing, as tar skips a file that vanished
                }
                throw e;
            }
            try (handle) {
                add(handle, handle.status(), prefix + child);
            }
        }
    }

    private void addRegular(FileHandle file, FileStatus status, String name) throws IOException {
        if (status.nlink() > 1) {
            String key = status.device() + ":" + status.inode();
            String first = firstNameOfInode.putIfAbsent(key, name);
            if (first != null) {
                TarArchiveEntry link = entry(name, TarConstants.LF_LINK, status);
                link.setLinkName(first);
                putEmpty(link);
                return;
            }
        }
        TarArchiveEntry entry = entry(name, TarConstants.LF_NORMAL, status);
        entry.setSize(status.size());
        tar.putArchiveEntry(entry);
        long left = status.size();
        try (InputStream in = file.openRead()) {
            while (left > 0) {
                int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
                if (n < 0) {
                    break;
                }
                tar.write(buffer, 0, n);
                left -= n;
            }
        }
        // A file that shrank while it was read is padded to the size its header announced.
        while (left > 0) {
            int n = (int) Math.min(buffer.length, left);
            Arrays.fill(buffer, 0, n, (byte) 0);
            tar.write(buffer, 0, n);
            left -= n;
        }
        tar.closeArchiveEntry();
    }

    private void putEmpty(TarArchiveEntry entry) throws IOException {
        tar.putArchiveEntry(entry);
        tar.closeArchiveEntry();
    }

    private static TarArchiveEntry entry(String name, byte type, FileStatus status) {
        TarArchiveEntry entry = new TarArchiveEntry(name, type, true);
        entry.setMode(status.permissions());
        entry.setUserId(status.uid());
        entry.setGroupId(status.gid());
        entry.setModTime(status.modified().toEpochMilli());
        return entry;
    }

    private static boolean isPseudoFilesystem(FileHandle dir) {
        Pointer statfs = Memory.allocateDirect(Runtime.getRuntime(LibC.INSTANCE), STATFS_SIZE);
        return LibC.INSTANCE.fstatfs(dir.fd(), statfs) == 0 && PSEUDO_FILESYSTEMS.contains(statfs.getLong(0));
    }
}
