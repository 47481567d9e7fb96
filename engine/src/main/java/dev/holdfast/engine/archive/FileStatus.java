package dev.holdfast.engine.archive;

import java.time.Instant;
import jnr.ffi.Pointer;

/** What {@code statx} says about one file, in the fields a tar header and Docker's path stat need. */
record FileStatus(int mode, int uid, int gid, long size, Instant modified, Instant accessed, int nlink, long inode,
        long device, int rdevMajor, int rdevMinor) {
    static final int S_IFMT = 0170000;
    static final int S_IFSOCK = 0140000;
    static final int S_IFLNK = 0120000;
    static final int S_IFREG = 0100000;
    static final int S_IFBLK = 0060000;
    static final int S_IFDIR = 0040000;
    static final int S_IFCHR = 0020000;
    static final int S_IFIFO = 0010000;

    /** Reads {@code struct statx}, whose layout, unlike {@code struct stat}'s, is the same on every architecture. */
    static FileStatus of(Pointer statx) {
        return new FileStatus(
                Short.toUnsignedInt(statx.getShort(28)),
                statx.getInt(20),
                statx.getInt(24),
                statx.getLong(40),
                timestamp(statx, 112),
                timestamp(statx, 64),
                statx.getInt(16),
                statx.getLong(32),
                ((long) statx.getInt(136) << 32) | Integer.toUnsignedLong(statx.getInt(140)),
                statx.getInt(128),
                statx.getInt(132));
    }

    private static Instant timestamp(Pointer statx, int offset) {
        return Instant.ofEpochSecond(statx.getLong(offset), Integer.toUnsignedLong(statx.getInt(offset + 8)));
    }

    int type() {
        return mode & S_IFMT;
    }

    boolean isDirectory() {
        return type() == S_IFDIR;
    }

    boolean isSymlink() {
        return type() == S_IFLNK;
    }

    boolean isRegular() {
        return type() == S_IFREG;
    }

    /** Permission bits with setuid, setgid and sticky. */
    int permissions() {
        return mode & 07777;
    }
}
