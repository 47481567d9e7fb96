package dev.holdfast.engine.image;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * A container's writable root filesystem made from an image's. Today a full copy; the two methods are the whole
 * interface so that it can become an overlayfs mount without touching callers.
 */
public final class Snapshots {
    private Snapshots() {}

    /**
     * Copies {@code imageRootfs} to {@code target} (which must not exist): modes, setuid bits, owners, times and
     * extended attributes kept, symlinks copied as symlinks, hard links kept as links, device nodes and fifos
     * recreated. A failure removes the partial copy.
     */
    public static void prepare(Path imageRootfs, Path target) throws IOException {
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException("snapshot target " + target + " already exists");
        }
        try {
            Files.walkFileTree(imageRootfs, new CopyVisitor(imageRootfs, target));
        } catch (IOException | RuntimeException e) {
            FileTrees.deleteRecursively(target);
            throw e;
        }
    }

    /**
     * The size of what the container changed in its snapshot: Docker's {@code SizeRw}, the writable layer. A regular
     * file counts unless the image has a regular file at its path with the same size and modification time
     * ({@link #prepare} keeps times, and writing a file changes its time). Hard links count once; directories,
     * symlinks and deletions count nothing. Files that vanish during the walk are skipped. Without
     * {@code imageRootfs} (null: the image is gone) every regular file counts.
     */
    public static long changedBytes(Path imageRootfs, Path snapshot) throws IOException {
        if (!Files.isDirectory(snapshot, LinkOption.NOFOLLOW_LINKS)) {
            return 0;
        }
        long[] total = {0};
        Set<Object> counted = new HashSet<>();
        Files.walkFileTree(snapshot, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                if (attrs.isRegularFile()
                        && (imageRootfs == null || !sameAsInImage(imageRootfs.resolve(snapshot.relativize(file).toString()), attrs))
                        && (attrs.fileKey() == null || counted.add(attrs.fileKey()))) {
                    total[0] += attrs.size();
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
                return FileVisitResult.CONTINUE;
            }
        });
        return total[0];
    }

    private static boolean sameAsInImage(Path original, BasicFileAttributes copy) {
        try {
            BasicFileAttributes attrs = Files.readAttributes(original, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            return attrs.isRegularFile() && attrs.size() == copy.size()
                    && attrs.lastModifiedTime().equals(copy.lastModifiedTime());
        } catch (IOException e) {
            return false;
        }
    }

    /** Deletes a snapshot made by {@link #prepare}; symlinks inside it are removed, never followed. */
    public static void remove(Path rootfs) throws IOException {
        FileTrees.deleteRecursively(rootfs);
    }

    private static final class CopyVisitor extends SimpleFileVisitor<Path> {
        private final Path source;
        private final Path target;
        /** First copy of each multiply-linked inode, so that later names become hard links to it. */
        private final Map<Object, Path> linkedInodes = new HashMap<>();

        CopyVisitor(Path source, Path target) {
            this.source = source;
            this.target = target;
        }

        @Override
        public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
            Files.copy(dir, destination(dir), StandardCopyOption.COPY_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
            return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
            Path copy = destination(file);
            if (attrs.isRegularFile() && (int) Files.getAttribute(file, "unix:nlink", LinkOption.NOFOLLOW_LINKS) > 1) {
                Path first = linkedInodes.putIfAbsent(attrs.fileKey(), copy);
                if (first != null) {
                    Files.createLink(copy, first);
                    return FileVisitResult.CONTINUE;
                }
            }
            // With NOFOLLOW_LINKS the JDK copies a symlink as a symlink and recreates device nodes and fifos.
            Files.copy(file, copy, StandardCopyOption.COPY_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
            return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
            if (e != null) {
                throw e;
            }
            // Creating the children changed the copy's mtime: put the original back.
            BasicFileAttributes attrs = Files.readAttributes(dir, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            Files.getFileAttributeView(destination(dir), BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                    .setTimes(attrs.lastModifiedTime(), attrs.lastAccessTime(), null);
            return FileVisitResult.CONTINUE;
        }

        private Path destination(Path path) {
            return target.resolve(source.relativize(path).toString());
        }
    }
}
