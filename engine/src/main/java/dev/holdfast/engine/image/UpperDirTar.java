package dev.holdfast.engine.image;

import dev.holdfast.engine.host.DeviceNumber;
import dev.holdfast.engine.host.LibC;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * {@code docker commit}'s new layer: a container's overlayfs upper directory written as an image layer tar, with
 * overlayfs' markers turned back into the image format's: a whiteout (0/0 character device) becomes a
 * {@code .wh.NAME} entry, an opaque directory ({@code trusted.overlay.opaque=y}) a {@code .wh..wh..opq} entry in it.
 * Entries come sorted, hard links as tar hard links; symlinks are archived, never followed.
 */
public final class UpperDirTar {
    private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;

    private final Path upper;
    private final TarArchiveOutputStream tar;
    private final BufferedOutputStream buffered;
    private final Map<Object, String> firstNameOfInode = new HashMap<>();

    private UpperDirTar(Path upper, OutputStream out) {
        this.upper = upper;
        this.buffered = new BufferedOutputStream(out, 256 * 1024);
        this.tar = new TarArchiveOutputStream(buffered, "UTF-8");
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
        tar.setAddPaxHeadersForNonAsciiNames(true);
    }

    /** The changes of the container whose upper directory is {@code upper}, for {@link ImageStore#commit}. */
    public static ImageStore.LayerWriter of(Path upper) {
        return out -> write(upper, out);
    }

    static void write(Path upper, OutputStream out) throws IOException {
        UpperDirTar writer = new UpperDirTar(upper, out);
        writer.children(upper, "");
        writer.tar.finish();
        writer.buffered.flush();
    }

    private void children(Path dir, String prefix) throws IOException {
        List<Path> entries = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
            stream.forEach(entries::add);
        }
        entries.sort(null);
        for (Path entry : entries) {
            add(entry, prefix + entry.getFileName());
        }
    }

    private void add(Path path, String name) throws IOException {
        Map<String, Object> attrs = Files.readAttributes(path, "unix:mode,uid,gid,rdev,ino,dev,nlink,lastModifiedTime",
                NOFOLLOW);
        int mode = (int) attrs.get("mode");
        int type = mode & 0170000;
        long rdev = (long) attrs.get("rdev");
        if (type == 0020000 && rdev == 0) {
            int slash = name.lastIndexOf('/');
            String whiteout = name.substring(0, slash + 1) + Whiteout.PREFIX + name.substring(slash + 1);
            putEmpty(marker(whiteout));
            return;
        }
        switch (type) {
            case 0040000 -> {
                putEmpty(entry(name + "/", TarConstants.LF_DIR, attrs));
                if (isOpaque(path)) {
                    putEmpty(marker(name + "/" + Whiteout.OPAQUE));
                }
                children(path, name + "/");
            }
            case 0120000 -> {
                TarArchiveEntry link = entry(name, TarConstants.LF_SYMLINK, attrs);
                link.setLinkName(Files.readSymbolicLink(path).toString());
                putEmpty(link);
            }
            case 0100000 -> regular(path, name, attrs);
            case 0010000, 0020000, 0060000 -> {
                byte flag = type == 0010000 ? TarConstants.LF_FIFO
                        : type == 0020000 ? TarConstants.LF_CHR : TarConstants.LF_BLK;
                TarArchiveEntry device = entry(name, flag, attrs);
                device.setDevMajor(DeviceNumber.major(rdev));
                device.setDevMinor(DeviceNumber.minor(rdev));
                putEmpty(device);
            }
            default -> { } // sockets have no tar form
        }
    }

    private void regular(Path path, String name, Map<String, Object> attrs) throws IOException {
        if ((int) attrs.get("nlink") > 1) {
            String first = firstNameOfInode.putIfAbsent(attrs.get("dev") + ":" + attrs.get("ino"), name);
            if (first != null) {
                TarArchiveEntry link = entry(name, TarConstants.LF_LINK, attrs);
                link.setLinkName(first);
                putEmpty(link);
                return;
            }
        }
        TarArchiveEntry entry = entry(name, TarConstants.LF_NORMAL, attrs);
        entry.setSize(Files.size(path));
        tar.putArchiveEntry(entry);
        try (InputStream in = Files.newInputStream(path, NOFOLLOW)) {
            in.transferTo(tar);
        }
        tar.closeArchiveEntry();
    }

    private void putEmpty(TarArchiveEntry entry) throws IOException {
        tar.putArchiveEntry(entry);
        tar.closeArchiveEntry();
    }

    private static TarArchiveEntry entry(String name, byte type, Map<String, Object> attrs) {
        TarArchiveEntry entry = new TarArchiveEntry(name, type);
        entry.setMode((int) attrs.get("mode") & 07777);
        entry.setUserId((int) attrs.get("uid"));
        entry.setGroupId((int) attrs.get("gid"));
        entry.setLastModifiedTime((FileTime) attrs.get("lastModifiedTime"));
        return entry;
    }

    /** An empty whiteout or opaque marker, owned by root with no permissions, as dockerd writes them. */
    private static TarArchiveEntry marker(String name) {
        TarArchiveEntry entry = new TarArchiveEntry(name, TarConstants.LF_NORMAL);
        entry.setMode(0);
        return entry;
    }

    private static boolean isOpaque(Path dir) {
        byte[] value = new byte[8];
        long n = LibC.INSTANCE.lgetxattr(dir.toString(), "trusted.overlay.opaque", value, value.length);
        return n == 1 && value[0] == 'y';
    }
}
