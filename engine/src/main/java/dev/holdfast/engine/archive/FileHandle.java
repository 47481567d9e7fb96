package dev.holdfast.engine.archive;

import dev.holdfast.engine.host.DeviceNumber;
import dev.holdfast.engine.host.LibC;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;

/**
 * An open file descriptor and the operations made relative to it. This is how a container's files are reached
 * without ever resolving a path in Java and opening it by name: a path inside the container is resolved by the
 * kernel with {@code openat2(RESOLVE_IN_ROOT)}, which treats the root handle as {@code /} for {@code ..} and for
 * absolute symlinks alike; everything below is then named one component at a time relative to a handle, and never
 * follows a final symlink. File contents are read and written through {@code /proc/self/fd/N}, which reopens the
 * very file the descriptor holds.
 */
final class FileHandle implements AutoCloseable {
    private static final LibC C = LibC.INSTANCE;
    private static final Runtime RUNTIME = Runtime.getRuntime(C);

    private final int fd;
    /** For messages: the path this handle was opened for, as the user named it. */
    private final String path;
    private boolean closed;

    private FileHandle(int fd, String path) {
        this.fd = fd;
        this.path = path;
    }

    /** Opens a host directory the engine trusts (a rootfs, a volume, {@code /proc/PID/root}) as a root. */
    static FileHandle openRoot(Path directory) throws NativeException {
        int fd = C.openat(-100, directory.toString(), LibC.O_PATH | LibC.O_DIRECTORY | LibC.O_CLOEXEC, 0);
        return checked(fd, "open", directory.toString());
    }

    /**
     * Resolves {@code containerPath} with this handle as the root, following symlinks only inside it (no
     * {@code /proc} magic links at all). A final symlink is followed unless {@code flags} has O_NOFOLLOW.
     */
    FileHandle resolve(String containerPath, int flags) throws NativeException {
        Pointer how = Memory.allocateDirect(RUNTIME, LibC.OPEN_HOW_SIZE);
        how.putLong(0, flags | LibC.O_CLOEXEC);
        how.putLong(8, 0);
        how.putLong(16, LibC.RESOLVE_IN_ROOT | LibC.RESOLVE_NO_MAGICLINKS);
        String relative = containerPath.isEmpty() ? "." : containerPath;
        long fd = C.syscall(LibC.SYS_OPENAT2, this.fd, relative, how, LibC.OPEN_HOW_SIZE);
        return checked((int) fd, "openat2", containerPath);
    }

    /** Opens the entry {@code name} of this directory, never following it if it is a symlink. */
    FileHandle child(String name, int flags) throws NativeException {
        int fd = C.openat(this.fd, name, flags | LibC.O_NOFOLLOW | LibC.O_CLOEXEC, 0);
        return checked(fd, "openat", join(name));
    }

    /** Creates the regular file {@code name} (which must not exist) and opens it for writing. */
    FileHandle createFile(String name) throws NativeException {
        int fd = C.openat(this.fd, name,
                LibC.O_WRONLY | LibC.O_CREAT | LibC.O_EXCL | LibC.O_NOFOLLOW | LibC.O_CLOEXEC, 0600);
        return checked(fd, "create", join(name));
    }

    FileStatus status() throws NativeException {
        return statx("", LibC.AT_EMPTY_PATH | LibC.AT_SYMLINK_NOFOLLOW, path);
    }

    /** The entry {@code name} of this directory itself (a symlink is not followed); empty when there is none. */
    Optional<FileStatus> childStatus(String name) throws NativeException {
        try {
            return Optional.of(statx(name, LibC.AT_SYMLINK_NOFOLLOW, join(name)));
        } catch (NativeException e) {
            if (e.errno() == LibC.ENOENT) {
                return Optional.empty();
            }
            throw e;
        }
    }

    private FileStatus statx(String name, int flags, String forMessage) throws NativeException {
        Pointer buffer = Memory.allocateDirect(RUNTIME, LibC.STATX_SIZE);
        check(C.statx(fd, name, flags, LibC.STATX_BASIC_STATS, buffer), "statx", forMessage);
        return FileStatus.of(buffer);
    }

    /** The target of the symlink this handle (opened with O_PATH|O_NOFOLLOW) is. */
    String readLink() throws NativeException {
        byte[] buffer = new byte[4096];
        long n = C.readlinkat(fd, "", buffer, buffer.length);
        check((int) n, "readlink", path);
        return new String(buffer, 0, (int) n, StandardCharsets.UTF_8);
    }

    /** This directory's entries by name, sorted so archives come out the same each time. */
    List<String> list() throws IOException {
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(procPath())) {
            for (Path entry : entries) {
                names.add(entry.getFileName().toString());
            }
        }
        names.sort(null);
        return names;
    }

    InputStream openRead() throws IOException {
        return Files.newInputStream(procPath());
    }

    OutputStream openWrite() throws IOException {
        return Files.newOutputStream(procPath(), StandardOpenOption.WRITE);
    }

    void mkdir(String name, int mode) throws NativeException {
        check(C.mkdirat(fd, name, mode), "mkdir", join(name));
    }

    void symlink(String name, String target) throws NativeException {
        check(C.symlinkat(target, fd, name), "symlink", join(name));
    }

    void mknod(String name, int mode, int major, int minor) throws NativeException {
        check(C.mknodat(fd, name, mode, DeviceNumber.of(major, minor)), "mknod", join(name));
    }

    /** Makes {@code name} here a hard link to the entry {@code existing} of directory {@code from}. */
    void link(FileHandle from, String existing, String name) throws NativeException {
        check(C.linkat(from.fd, existing, fd, name, 0), "link", join(name));
    }

    void chown(String name, int uid, int gid) throws NativeException {
        check(C.fchownat(fd, name, uid, gid, LibC.AT_SYMLINK_NOFOLLOW), "chown", join(name));
    }

    /** Sets this file's mode; the handle must be a real one (not O_PATH). */
    void chmod(int mode) throws NativeException {
        check(C.fchmod(fd, mode), "chmod", path);
    }

    void setTimes(String name, Instant accessed, Instant modified) throws NativeException {
        long[] times = {accessed.getEpochSecond(), accessed.getNano(), modified.getEpochSecond(), modified.getNano()};
        check(C.utimensat(fd, name, times, LibC.AT_SYMLINK_NOFOLLOW), "utimensat", join(name));
    }

    /** Removes the entry {@code name}, a directory with everything in it. */
    void removeTree(String name) throws IOException {
        Optional<FileStatus> status = childStatus(name);
        if (status.isEmpty()) {
            return;
        }
        if (status.get().isDirectory()) {
            try (FileHandle dir = child(name, LibC.O_RDONLY | LibC.O_DIRECTORY)) {
                for (String entry : dir.list()) {
                    dir.removeTree(entry);
                }
            }
            check(C.unlinkat(fd, name, LibC.AT_REMOVEDIR), "rmdir", join(name));
        } else {
            check(C.unlinkat(fd, name, 0), "unlink", join(name));
        }
    }

    int fd() {
        return fd;
    }

    String path() {
        return path;
    }

    private Path procPath() {
        return Path.of("/proc/self/fd/" + fd);
    }

    private String join(String name) {
        return path.endsWith("/") ? path + name : path + "/" + name;
    }

    private static FileHandle checked(int fd, String call, String path) throws NativeException {
        check(fd, call, path);
        return new FileHandle(fd, path);
    }

    private static void check(int result, String call, String path) throws NativeException {
        if (result < 0) {
            throw new NativeException(call, path, RUNTIME.getLastError());
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            C.close(fd);
        }
    }
}
