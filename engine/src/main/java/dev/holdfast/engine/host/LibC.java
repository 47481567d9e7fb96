package dev.holdfast.engine.host;

import jnr.ffi.LibraryLoader;
import jnr.ffi.Pointer;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;
import jnr.ffi.annotations.SaveError;

/**
 * The libc calls that walk a container's filesystem relative to file descriptors, that unpack image layers in
 * overlayfs' format and that mount and unmount (a {@code mount} or {@code umount} process costs a container's
 * create and remove 5-15 ms each), bound with jnr-ffi: jnr-posix has neither {@code openat2} (which has no glibc wrapper, hence
 * {@code syscall}) nor most of the {@code *at} family, nor extended attributes.
 * Public only because jnr-ffi implements it from another class loader. Constants are Linux's (the same on x86-64 and arm64).
 */
public interface LibC {
    LibC INSTANCE = LibraryLoader.create(LibC.class).load("c");

    int O_RDONLY = 0;
    int O_WRONLY = 01;
    int O_CREAT = 0100;
    int O_EXCL = 0200;
    int O_DIRECTORY = 0200000;
    int O_NOFOLLOW = 0400000;
    int O_CLOEXEC = 02000000;
    int O_PATH = 010000000;

    int AT_FDCWD = -100;
    int AT_SYMLINK_NOFOLLOW = 0x100;
    int AT_REMOVEDIR = 0x200;
    int AT_EMPTY_PATH = 0x1000;

    long RESOLVE_NO_MAGICLINKS = 0x02;
    long RESOLVE_NO_SYMLINKS = 0x04;
    long RESOLVE_IN_ROOT = 0x10;

    /** {@code openat2}'s number, the same on every architecture (new syscalls share one table since 5.1). */
    long SYS_OPENAT2 = 437;
    /** {@code struct open_how}: flags, mode, resolve, each a u64. */
    int OPEN_HOW_SIZE = 24;
    /** {@code struct statx}. */
    int STATX_SIZE = 256;
    int STATX_BASIC_STATS = 0x7ff;
    /** {@code stx_attributes} and {@code stx_attributes_mask}: which attributes the file has, which the kernel knows. */
    int STATX_ATTRIBUTES_OFFSET = 8;
    int STATX_ATTRIBUTES_MASK_OFFSET = 56;
    /** The path is the root of a mount (Linux 5.8). */
    long STATX_ATTR_MOUNT_ROOT = 0x2000;

    int ENOENT = 2;
    int EEXIST = 17;
    int ENOTDIR = 20;
    int EISDIR = 21;
    int EROFS = 30;
    int ELOOP = 40;
    int EXDEV = 18;
    int EACCES = 13;
    int EPERM = 1;
    int ENOTEMPTY = 39;
    int EBUSY = 16;
    int EINVAL = 22;

    /** {@code umount2}'s flag: detach now, release once nothing uses it any more. */
    int MNT_DETACH = 2;

    @SaveError
    long syscall(long number, int dirfd, String path, Pointer how, long size);

    @SaveError
    int openat(int dirfd, String path, int flags, int mode);

    @SaveError
    int close(int fd);

    @SaveError
    int statx(int dirfd, String path, int flags, int mask, Pointer buffer);

    @SaveError
    int fstatfs(int fd, Pointer buffer);

    @SaveError
    int mkdirat(int dirfd, String path, int mode);

    @SaveError
    int symlinkat(String target, int dirfd, String path);

    @SaveError
    long readlinkat(int dirfd, String path, @Out byte[] buffer, long size);

    @SaveError
    int fchownat(int dirfd, String path, int uid, int gid, int flags);

    @SaveError
    int fchmod(int fd, int mode);

    @SaveError
    int unlinkat(int dirfd, String path, int flags);

    @SaveError
    int mknodat(int dirfd, String path, int mode, long dev);

    @SaveError
    int linkat(int oldDirfd, String oldPath, int newDirfd, String newPath, int flags);

    /** {@code times} is {@code struct timespec[2]}: atime seconds, nanoseconds, mtime seconds, nanoseconds. */
    @SaveError
    int utimensat(int dirfd, String path, @In long[] times, int flags);

    /** Sets an extended attribute of {@code path} itself (a symlink is not followed). */
    @SaveError
    int lsetxattr(String path, String name, @In byte[] value, long size, int flags);

    /** Reads an extended attribute of {@code path} itself; the value's length, or -1 (ENODATA: none). */
    @SaveError
    long lgetxattr(String path, String name, @Out byte[] value, long size);

    @SaveError
    int mknod(String path, int mode, long dev);

    @SaveError
    int mount(String source, String target, String type, long flags, String data);

    @SaveError
    int umount2(String target, int flags);

    @SaveError
    String strerror(int errno);
}
