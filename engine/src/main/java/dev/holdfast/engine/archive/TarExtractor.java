package dev.holdfast.engine.archive;

import dev.holdfast.engine.host.LibC;
import dev.holdfast.engine.errdefs.DomainException;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.CompressorException;
import org.apache.commons.compress.compressors.CompressorStreamFactory;

/**
 * Unpacks a tar stream into a directory of a container, as dockerd's untar does in a chroot: every entry's parent is
 * resolved by the kernel inside the container's root (so an archive's own symlinks, {@code lib -> /usr/lib}, lead
 * where they would in the container and nowhere else), and the entry itself is made relative to that parent's
 * handle, never following a symlink that is already there. Entry names that climb out of the directory are refused.
 */
final class TarExtractor {
    /** The owner every entry gets with {@code copyUIDGID}; without it, each keeps the archive's. */
    record Owner(int uid, int gid) {}

    private static final Set<String> DECOMPRESSED = Set.of(CompressorStreamFactory.GZIP, CompressorStreamFactory.BZIP2);

    private final FileHandle root;
    private final String destination;
    private final boolean noOverwriteDirNonDir;
    private final Owner owner;
    /** Directories get their times last: what is written into them afterwards would change their mtime. */
    private final List<Runnable> directoryTimes = new ArrayList<>();
    private String parentPath;
    private FileHandle parent;

    /** {@code destination} is a clean absolute path of a directory in {@code root}. */
    TarExtractor(FileHandle root, String destination, boolean noOverwriteDirNonDir, Owner owner) {
        this.root = root;
        this.destination = destination;
        this.noOverwriteDirNonDir = noOverwriteDirNonDir;
        this.owner = owner;
    }

    void extract(InputStream body) throws IOException {
        try (TarArchiveInputStream tar = new TarArchiveInputStream(decompressed(body), "UTF-8")) {
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                if (entry.isGlobalPaxHeader()) {
                    continue;
                }
                String relative = ContainerPath.entryBelow(entry.getName());
                if (relative.isEmpty()) {
                    continue; // "./": the destination itself, which exists
                }
                extract(entry, relative, tar);
            }
            for (int i = directoryTimes.size() - 1; i >= 0; i--) {
                directoryTimes.get(i).run();
            }
        } finally {
            if (parent != null) {
                parent.close();
            }
        }
    }

    private void extract(TarArchiveEntry entry, String relative, InputStream content) throws IOException {
        int slash = relative.lastIndexOf('/');
        String base = relative.substring(slash + 1);
        FileHandle dir = parent(slash < 0 ? "" : relative.substring(0, slash));
        Optional<FileStatus> existing = dir.childStatus(base);
        if (existing.isPresent()) {
            boolean existingDir = existing.get().isDirectory();
            if (noOverwriteDirNonDir && existingDir != entry.isDirectory()) {
                String path = ContainerPath.join(destination, relative);
                throw DomainException.invalidParameter(existingDir
                        ? "cannot overwrite directory \"" + path + "\" with non-directory \"" + entry.getName() + "\""
                        : "cannot overwrite non-directory \"" + path + "\" with directory \"" + entry.getName() + "\"");
            }
            if (!(existingDir && entry.isDirectory())) {
                dir.removeTree(base);
            }
        }
        int permissions = entry.getMode() & 07777;
        if (entry.isDirectory()) {
            if (existing.isEmpty() || !existing.get().isDirectory()) {
                dir.mkdir(base, 0700);
            }
            chown(dir, base, entry);
            try (FileHandle made = dir.child(base, LibC.O_RDONLY | LibC.O_DIRECTORY)) {
                made.chmod(permissions);
            }
            Instant modified = entry.getLastModifiedTime().toInstant();
            directoryTimes.add(() -> setTimesQuietly(dir.path(), base, modified));
            return;
        }
        if (entry.isSymbolicLink()) {
            dir.symlink(base, entry.getLinkName());
            chown(dir, base, entry);
        } else if (entry.isLink()) {
            String target = ContainerPath.entryBelow(entry.getLinkName());
            ContainerPath targetPath = ContainerPath.of(ContainerPath.join(destination, target));
            try (FileHandle targetDir = root.resolve(targetPath.parent(), LibC.O_PATH | LibC.O_DIRECTORY)) {
                dir.link(targetDir, targetPath.last(), base);
            }
            return; // a hard link shares the target's owner, mode and times
        } else if (entry.isFIFO() || entry.isCharacterDevice() || entry.isBlockDevice()) {
            int type = entry.isFIFO() ? FileStatus.S_IFIFO
                    : entry.isCharacterDevice() ? FileStatus.S_IFCHR : FileStatus.S_IFBLK;
            dir.mknod(base, type | permissions, entry.getDevMajor(), entry.getDevMinor());
            chown(dir, base, entry);
        } else if (entry.isFile()) {
            try (FileHandle file = dir.createFile(base); OutputStream out = file.openWrite()) {
                content.transferTo(out);
                out.flush();
                chown(dir, base, entry);
                file.chmod(permissions); // after chown, which clears setuid and setgid
            }
        } else {
            throw DomainException.invalidParameter("archive entry \"" + entry.getName() + "\" has tar type '"
                    + (char) entry.getLinkFlag() + "', which cannot be extracted");
        }
        Instant modified = entry.getLastModifiedTime().toInstant();
        dir.setTimes(base, modified, modified);
    }

    private void chown(FileHandle dir, String base, TarArchiveEntry entry) throws NativeException {
        if (owner != null) {
            dir.chown(base, owner.uid(), owner.gid());
        } else {
            dir.chown(base, (int) entry.getLongUserId(), (int) entry.getLongGroupId());
        }
    }

    /**
     * The handle of the directory {@code relative} below the destination, made (0755, as dockerd makes missing
     * parents) when the archive did not list it. Entries come grouped by directory, so the last one is kept.
     */
    private FileHandle parent(String relative) throws IOException {
        if (relative.equals(parentPath)) {
            return parent;
        }
        FileHandle next;
        try {
            next = root.resolve(ContainerPath.join(destination, relative), LibC.O_PATH | LibC.O_DIRECTORY);
        } catch (NativeException e) {
            if (e.errno() != LibC.ENOENT) {
                throw e;
            }
            next = makeDirectories(relative);
        }
        if (parent != null) {
            parent.close();
        }
        parent = next;
        parentPath = relative;
        return parent;
    }

    private FileHandle makeDirectories(String relative) throws IOException {
        FileHandle current = root.resolve(destination, LibC.O_PATH | LibC.O_DIRECTORY);
        String walked = "";
        for (String part : relative.split("/")) {
            walked = walked.isEmpty() ? part : walked + "/" + part;
            try (FileHandle above = current) {
                if (above.childStatus(part).isEmpty()) {
                    above.mkdir(part, 0755);
                }
                current = root.resolve(ContainerPath.join(destination, walked), LibC.O_PATH | LibC.O_DIRECTORY);
            }
        }
        return current;
    }

    private void setTimesQuietly(String dirPath, String base, Instant modified) {
        try (FileHandle dir = root.resolve(dirPath, LibC.O_PATH | LibC.O_DIRECTORY)) {
            dir.setTimes(base, modified, modified);
        } catch (NativeException e) {
            // a directory's time is cosmetic; its content is what the caller asked for
        }
    }

    private static InputStream decompressed(InputStream body) throws IOException {
        BufferedInputStream buffered = new BufferedInputStream(body, 64 * 1024);
        String format;
        try {
            format = CompressorStreamFactory.detect(buffered);
        } catch (CompressorException plainTar) {
            return buffered;
        }
        if (!DECOMPRESSED.contains(format)) {
            throw DomainException.notImplemented("an archive compressed with " + format);
        }
        try {
            return new CompressorStreamFactory().createCompressorInputStream(format, buffered);
        } catch (CompressorException e) {
            throw DomainException.invalidParameter("reading the " + format + " archive: " + e.getMessage());
        }
    }
}
