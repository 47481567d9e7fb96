package dev.holdfast.engine.image;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.DirectoryStream;
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
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Applies layer tars, in order, onto one root filesystem directory: creates files, directories, symlinks and hard
 * links with their owners, modes (setuid included) and times, and honours whiteouts.
 *
 * <p>Safety: nothing may be written outside the root. Entry names with {@code ..} or a leading {@code /} are
 * refused, and so is any entry whose parent path passes through a symbolic link (whichever layer made it): parents
 * are checked with lstat, component by component, so a layer cannot plant {@code l -> /etc} and then write
 * {@code l/passwd}. Existing files are unlinked before being replaced, never opened through.
 */
final class LayerApplier {
    private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;
    private static final int MODE_BITS = 07777;

    private final Path root;

    /** What applying one layer gave: its diff id (sha256 of the uncompressed tar) and the bytes of its files. */
    record AppliedLayer(String diffId, long size) {}

    LayerApplier(Path root) {
        this.root = root;
    }

    /** Applies one layer blob, gzip/bzip2-compressed or plain; reads {@code blob} to its end. */
    AppliedLayer apply(InputStream blob) throws IOException {
        MessageDigest sha256 = sha256();
        DigestInputStream uncompressed = new DigestInputStream(Decompression.open(blob), sha256);
        long size = new LayerRun().extract(new TarArchiveInputStream(uncompressed));
        // The diff id covers the whole tar, including the end-of-archive blocks tar reading stops before.
        uncompressed.transferTo(OutputStream.nullOutputStream());
        return new AppliedLayer("sha256:" + HexFormat.of().formatHex(sha256.digest()), size);
    }

    /** The state of one layer's extraction. */
    private final class LayerRun {
        /** Paths this layer created: an opaque whiteout hides only what lower layers made. */
        private final Set<Path> created = new HashSet<>();
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
                    case Whiteout.Remove remove -> FileTrees.deleteRecursively(parent.resolve(remove.name()));
                    case Whiteout.Opaque opaque -> hideLowerLayers(parent);
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
                created.add(target);
                return; // a hard link shares the metadata of its target
            } else if (entry.isFile()) {
                try (OutputStream out = Files.newOutputStream(target, StandardOpenOption.CREATE_NEW,
                        StandardOpenOption.WRITE, NOFOLLOW)) {
                    size += tar.transferTo(out);
                }
            } else {
                return; // devices and fifos: the runtime provides /dev, and image layers rarely carry them
            }
            created.add(target);
            setOwnerAndMode(target, entry);
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

        /** Removes from {@code dir} what lower layers put there, keeping this layer's own entries. */
        private void hideLowerLayers(Path dir) throws IOException {
            try (DirectoryStream<Path> children = Files.newDirectoryStream(dir)) {
                for (Path child : children) {
                    if (!created.contains(child)) {
                        FileTrees.deleteRecursively(child);
                    }
                }
            }
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
                    created.add(dir);
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
