package dev.holdfast.engine.image;

import dev.holdfast.engine.host.DeviceNumber;
import dev.holdfast.engine.host.LibC;
import dev.holdfast.engine.store.FileTrees;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import jnr.ffi.Runtime;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.utils.CountingInputStream;

/**
 * Unpacks one layer tar into an empty directory of its own, in the form overlayfs stacks as a lower directory:
 * files, directories, symlinks, hard links, fifos and device nodes with their owners, modes (setuid included) and
 * times; a whiteout {@code .wh.NAME} becomes overlayfs' whiteout (a 0/0 character device NAME), an opaque marker
 * {@code .wh..wh..opq} the {@code trusted.overlay.opaque=y} attribute of its directory.
 *
 * <p>Safety: nothing may be written outside the directory. Entry names with {@code ..} or a leading {@code /} are
 * refused, and so is any entry whose parent path passes through a symbolic link: parents are checked with lstat,
 * component by component, so a layer cannot plant {@code l -> /etc} and then write {@code l/passwd}. A file
 * already there is unlinked before being replaced, never opened through; hard links must name a file of this layer.
 */
final class LayerUnpacker {
    private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;
    private static final int MODE_BITS = 07777;

    private final Path root;

    /**
     * What unpacking one layer gave: its diff id (sha256 of the uncompressed tar), the bytes of its files and the
     * length of the uncompressed tar.
     */
    record Unpacked(String diffId, long size, long tarSize) {}

    LayerUnpacker(Path root) {
        this.root = root;
    }

    /** Unpacks one layer blob, gzip/bzip2-compressed or plain; reads {@code blob} to its end. */
    Unpacked unpack(InputStream blob) throws IOException {
        MessageDigest sha256 = sha256();
        CountingInputStream counted = new CountingInputStream(Decompression.open(blob));
        DigestInputStream uncompressed = new DigestInputStream(counted, sha256);
        long size = new LayerRun().extract(new TarArchiveInputStream(uncompressed));
        // The diff id covers the whole tar, including the end-of-archive blocks tar reading stops before.
        uncompressed.transferTo(OutputStream.nullOutputStream());
        return new Unpacked("sha256:" + HexFormat.of().formatHex(sha256.digest()), size, counted.getBytesRead());
    }

    /** The state of one layer's extraction. */
    private final class LayerRun {
        /** Directory times are set last: creating their children would change them again. */
        private final List<TarArchiveEntry> directories = new ArrayList<>();
        private final List<Path> directoryPaths = new ArrayList<>();
        private long size;

        long extract(TarArchiveInputStream tar) throws IOException {
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                List<String> parts = EntryPath.components(entry.getName());
                if (parts.isEmpty()) {
                    continue; // "./": the root itself keeps the store's own attributes
                }
                Path parent = parentOf(entry.getName(), parts, true);
                String fileName = parts.get(parts.size() - 1);
                switch (Whiteout.of(fileName)) {
                    case Whiteout.Remove remove -> whiteOut(parent.resolve(remove.name()));
                    case Whiteout.Opaque opaque -> setXattr(parent, "trusted.overlay.opaque", "y");
                    case Whiteout.Ignored ignored -> { }
                    case Whiteout.None none -> create(tar, entry, parent.resolve(fileName));
                }
            }
            for (int i = directories.size() - 1; i >= 0; i--) {
                setTime(directoryPaths.get(i), directories.get(i));
            }
            return size;
        }

        private void create(TarArchiveInputStream tar, TarArchiveEntry entry, Path target) throws IOException {
            BasicFileAttributes existing = lstat(target);
            if (existing != null && !(existing.isDirectory() && entry.isDirectory())) {
                FileTrees.deleteRecursively(target);
            }
            if (entry.isDirectory()) {
                if (existing == null || !existing.isDirectory()) {
                    Files.createDirectory(target);
                }
                directories.add(entry);
                directoryPaths.add(target);
            } else if (entry.isSymbolicLink()) {
                Files.createSymbolicLink(target, Path.of(entry.getLinkName()));
            } else if (entry.isLink()) {
                Files.createLink(target, hardLinkTarget(entry));
                return; // a hard link shares the metadata of its target
            } else if (entry.isFIFO() || entry.isCharacterDevice() || entry.isBlockDevice()) {
                int type = entry.isFIFO() ? 0010000 : entry.isCharacterDevice() ? 0020000 : 0060000;
                check(LibC.INSTANCE.mknod(target.toString(), type | (entry.getMode() & MODE_BITS),
                        DeviceNumber.of(entry.getDevMajor(), entry.getDevMinor())), "mknod", target);
            } else if (entry.isFile()) {
                try (OutputStream out = Files.newOutputStream(target, StandardOpenOption.CREATE_NEW,
                        StandardOpenOption.WRITE, NOFOLLOW)) {
                    size += tar.transferTo(out);
                }
            } else {
                throw EntryPath.refused(entry.getName(), "unknown tar entry type '" + (char) entry.getLinkFlag() + "'");
            }
            setOwnerAndMode(target, entry);
            if (!entry.isSymbolicLink()) { // Linux takes no user.* attributes on a symlink
                setXattrs(target, entry);
            }
            if (!entry.isDirectory()) {
                setTime(target, entry);
            }
        }

        /** The existing file a hard link entry names: inside the root, reached without symlinks, not a directory. */
        private Path hardLinkTarget(TarArchiveEntry entry) throws IOException {
            String name = entry.getLinkName();
            List<String> parts;
            try {
                parts = EntryPath.components(name);
            } catch (ImageException e) {
                throw EntryPath.refused(entry.getName(), "hard link to \"" + name + "\" points outside the image");
            }
            if (parts.isEmpty()) {
                throw EntryPath.refused(entry.getName(), "hard link to the root directory");
            }
            Path linked = parentOf(entry.getName(), parts, false).resolve(parts.get(parts.size() - 1));
            BasicFileAttributes attrs = lstat(linked);
            if (attrs == null) {
                throw EntryPath.refused(entry.getName(), "hard link to missing \"" + name + "\"");
            }
            if (attrs.isDirectory()) {
                throw EntryPath.refused(entry.getName(), "hard link to directory \"" + name + "\"");
            }
            return linked;
        }

        /** overlayfs' whiteout: a character device 0/0 in place of the name the lower layers had. */
        private void whiteOut(Path target) throws IOException {
            if (lstat(target) != null) {
                FileTrees.deleteRecursively(target);
            }
            check(LibC.INSTANCE.mknod(target.toString(), 0020000, DeviceNumber.of(0, 0)), "mknod (whiteout)", target);
        }

        /**
         * The directory that holds the entry, walked from the root one component at a time with lstat: a symlink
         * or a non-directory on the way refuses the entry. Missing directories are created when {@code create}.
         */
        private Path parentOf(String entryName, List<String> parts, boolean create) throws IOException {
            Path dir = root;
            for (int i = 0; i < parts.size() - 1; i++) {
                dir = dir.resolve(parts.get(i));
                BasicFileAttributes attrs = lstat(dir);
                if (attrs == null && create) {
                    Files.createDirectory(dir);
                } else if (attrs == null) {
                    throw EntryPath.refused(entryName, "\"" + String.join("/", parts.subList(0, i + 1))
                            + "\" does not exist");
                } else if (attrs.isSymbolicLink()) {
                    throw EntryPath.refused(entryName, "its parent \"" + String.join("/", parts.subList(0, i + 1))
                            + "\" is a symbolic link");
                } else if (!attrs.isDirectory()) {
                    throw EntryPath.refused(entryName, "its parent \"" + String.join("/", parts.subList(0, i + 1))
                            + "\" is not a directory");
                }
            }
            return dir;
        }
    }

    private static void setXattr(Path target, String name, String value) throws IOException {
        setXattr(target, name, value.getBytes(StandardCharsets.UTF_8));
    }

    private static void setXattr(Path target, String name, byte[] value) throws IOException {
        check(LibC.INSTANCE.lsetxattr(target.toString(), name, value, value.length, 0), "setxattr " + name, target);
    }

    /**
     * The entry's extended attributes, as GNU tar ({@code SCHILY.xattr.NAME}) and libarchive
     * ({@code LIBARCHIVE.xattr.NAME}, name percent-encoded, value base64) write them in PAX headers. commons-compress
     * hands PAX values over as UTF-8 text, so a binary SCHILY value that is not valid UTF-8 (a file capability) does
     * not survive; the libarchive form does.
     */
    private static void setXattrs(Path target, TarArchiveEntry entry) throws IOException {
        for (Map.Entry<String, String> header : entry.getExtraPaxHeaders().entrySet()) {
            String key = header.getKey();
            if (key.startsWith("SCHILY.xattr.")) {
                setXattr(target, key.substring("SCHILY.xattr.".length()),
                        header.getValue().getBytes(StandardCharsets.UTF_8));
            } else if (key.startsWith("LIBARCHIVE.xattr.")) {
                setXattr(target, URLDecoder.decode(key.substring("LIBARCHIVE.xattr.".length()), StandardCharsets.UTF_8),
                        Base64.getDecoder().decode(header.getValue()));
            }
        }
    }

    private static void check(int result, String call, Path target) throws IOException {
        if (result < 0) {
            int errno = Runtime.getRuntime(LibC.INSTANCE).getLastError();
            throw new IOException(call + " " + target + ": " + LibC.INSTANCE.strerror(errno));
        }
    }

    private static void setOwnerAndMode(Path target, TarArchiveEntry entry) throws IOException {
        // chown first: it clears setuid/setgid, which the chmod then restores.
        Files.setAttribute(target, "unix:uid", (int) entry.getLongUserId(), NOFOLLOW);
        Files.setAttribute(target, "unix:gid", (int) entry.getLongGroupId(), NOFOLLOW);
        if (!entry.isSymbolicLink()) {
            Files.setAttribute(target, "unix:mode", entry.getMode() & MODE_BITS, NOFOLLOW);
        }
    }

    private static void setTime(Path target, TarArchiveEntry entry) {
        FileTime mtime = FileTime.from(entry.getLastModifiedTime().toInstant());
        try {
            Files.getFileAttributeView(target, BasicFileAttributeView.class, NOFOLLOW).setTimes(mtime, null, null);
        } catch (IOException e) {
            // Times are cosmetic; some filesystems refuse them on symlinks.
        }
    }

    private static BasicFileAttributes lstat(Path path) throws IOException {
        try {
            return Files.readAttributes(path, BasicFileAttributes.class, NOFOLLOW);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK always has SHA-256", e);
        }
    }
}
