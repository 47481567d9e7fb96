package dev.holdfast.engine.host;

import java.io.IOException;
import java.nio.file.Path;
import jnr.ffi.Runtime;

/** mount(2) and umount2(2) called directly: the engine mounts and unmounts on every container's create and remove. */
public final class MountCalls {
    private static final LibC C = LibC.INSTANCE;

    private MountCalls() {}

    /** Mounts a filesystem of {@code type} (no flags) at {@code target}; {@code options} is its data string. */
    public static void mount(String source, Path target, String type, String options) throws IOException {
        if (C.mount(source, target.toString(), type, 0, options) != 0) {
            throw new IOException("mount -t " + type + " " + source + " " + target + ": " + lastError());
        }
    }

    /** Unmounts the top mount at {@code target}, lazily with {@code detach}; false when nothing is mounted there. */
    public static boolean unmount(Path target, boolean detach) throws IOException {
        if (C.umount2(target.toString(), detach ? LibC.MNT_DETACH : 0) == 0) {
            return true;
        }
        int errno = Runtime.getRuntime(C).getLastError();
        if (errno == LibC.EINVAL || errno == LibC.ENOENT) {
            return false;
        }
        throw new IOException("umount " + (detach ? "--lazy " : "") + target + ": " + C.strerror(errno));
    }

    private static String lastError() {
        return C.strerror(Runtime.getRuntime(C).getLastError());
    }
}
