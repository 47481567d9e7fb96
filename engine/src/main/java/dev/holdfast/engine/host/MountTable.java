package dev.holdfast.engine.host;

import dev.holdfast.engine.errdefs.DomainException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.logging.Logger;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;

/**
 * The engine's mount namespace (the host's): whether something is mounted is always asked of the kernel, never
 * assumed, so that mounting and unmounting can be repeated after any crash.
 */
public final class MountTable {
    private static final Logger LOG = Logger.getLogger(MountTable.class.getName());
    private static final LibC C = LibC.INSTANCE;
    private static final Runtime RUNTIME = Runtime.getRuntime(C);

    private MountTable() {}

    /**
     * Whether anything is mounted at {@code path}: statx's mount-root attribute, one system call where reading
     * {@code /proc/self/mountinfo} costs as much CPU as the rest of a create on a host with many mounts; that is
     * read only where the kernel does not know the attribute.
     */
    public static boolean isMounted(Path path) throws IOException {
        String target = canonical(path).toString();
        Pointer buffer = Memory.allocateDirect(RUNTIME, LibC.STATX_SIZE);
        if (C.statx(LibC.AT_FDCWD, target, LibC.AT_SYMLINK_NOFOLLOW, 0, buffer) != 0) {
            if (RUNTIME.getLastError() == LibC.ENOENT) {
                return false;
            }
        } else if ((buffer.getLong(LibC.STATX_ATTRIBUTES_MASK_OFFSET) & LibC.STATX_ATTR_MOUNT_ROOT) != 0) {
            return (buffer.getLong(LibC.STATX_ATTRIBUTES_OFFSET) & LibC.STATX_ATTR_MOUNT_ROOT) != 0;
        }
        for (String line : readMountInfo()) {
            String[] f = line.split(" ");
            if (f.length > 4 && unescape(f[4]).equals(target)) {
                return true;
            }
        }
        return false;
    }

    /** The mount points below {@code root} of filesystems of {@code type} (e.g. overlay; null: any), deepest first. */
    public static List<Path> mountsUnder(Path root, String type) throws IOException {
        return new TreeSet<>(mountPoints(readMountInfo(), canonical(root) + "/", type)).descendingSet().stream()
                .map(Path::of).toList();
    }

    /** Every mount below {@code root}, once per mount: a point where two are stacked is listed twice. */
    public static List<Path> eachMountUnder(Path root) throws IOException {
        return mountPoints(readMountInfo(), canonical(root) + "/", null).stream().map(Path::of).toList();
    }

    /** The mount points starting with {@code prefix} in {@code mountinfo}'s lines, one per line, of {@code type}. */
    static List<String> mountPoints(List<String> mountinfo, String prefix, String type) {
        List<String> found = new ArrayList<>();
        for (String line : mountinfo) {
            String[] f = line.split(" ");
            int dash = List.of(f).indexOf("-");
            if (f.length > 4 && dash > 0 && dash + 1 < f.length && (type == null || f[dash + 1].equals(type))) {
                String point = unescape(f[4]);
                if (point.startsWith(prefix)) {
                    found.add(point);
                }
            }
        }
        return found;
    }

    private static List<String> readMountInfo() throws IOException {
        return Files.readAllLines(Path.of("/proc/self/mountinfo"), StandardCharsets.UTF_8);
    }

    /**
     * Unmounts every mount stacked at {@code mountPoint}; nothing mounted is fine. A busy mount is detached lazily
     * rather than left behind. The caller orders this against its own mounts of the same point. umount2 itself
     * answers whether anything is mounted there (EINVAL: not a mount point), so the mount table is not read: on a
     * host with many mounts that read cost more CPU than the unmount.
     */
    public static void unmount(Path mountPoint, String what) throws IOException {
        Path target = canonical(mountPoint);
        boolean mounted = true;
        while (mounted) {
            try {
                mounted = MountCalls.unmount(target, false);
            } catch (IOException busy) {
                LOG.warning(what + ": " + busy.getMessage() + "; detaching it lazily");
                try {
                    mounted = MountCalls.unmount(target, true);
                } catch (IOException e) {
                    throw DomainException.system(what + ": " + e.getMessage(), e);
                }
            }
        }
    }

    /** Absolute and without symlinks in the existing part, as mountinfo shows mount points. */
    public static Path canonical(Path path) throws IOException {
        Path abs = path.toAbsolutePath().normalize();
        Path existing = abs;
        while (existing != null && !Files.exists(existing, LinkOption.NOFOLLOW_LINKS)) {
            existing = existing.getParent();
        }
        if (existing == null) {
            return abs;
        }
        return existing.toRealPath().resolve(existing.relativize(abs));
    }

    /** mountinfo escapes space, tab, newline and backslash as {@code \ooo}. */
    private static String unescape(String field) {
        if (field.indexOf('\\') < 0) {
            return field;
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\' && i + 3 < field.length() && field.substring(i + 1, i + 4).matches("[0-7]{3}")) {
                out.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
