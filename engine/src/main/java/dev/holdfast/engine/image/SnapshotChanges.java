package dev.holdfast.engine.image;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code docker diff}: what a container changed, read from its overlayfs upper directory against the image's layers. A whiteout (a 0/0 character device) is a deletion; an entry the image lacks is an addition; any other
 * entry (a file written, or a directory something below changed) is a change, as dockerd reports them.
 */
public final class SnapshotChanges {
    /** Docker's {@code Kind}: 0 modified, 1 added, 2 deleted. */
    public record Change(String path, int kind) {}

    private SnapshotChanges() {}

    /** {@code lowers}: the image's layer directories, top first. */
    public static List<Change> of(List<Path> lowers, Path upper) throws IOException {
        List<Change> changes = new ArrayList<>();
        if (!Files.isDirectory(upper, LinkOption.NOFOLLOW_LINKS)) {
            return changes;
        }
        Files.walkFileTree(upper, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                if (!dir.equals(upper)) {
                    changes.add(change(dir, attrs));
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                changes.add(change(file, attrs));
                return FileVisitResult.CONTINUE;
            }

            private Change change(Path entry, BasicFileAttributes attrs) {
                Path relative = upper.relativize(entry);
                String path = "/" + relative.toString();
                if (attrs.isOther() && isOverlayWhiteout(entry)) {
                    return new Change(path, 2);
                }
                return new Change(path, inImage(lowers, relative) ? 0 : 1);
            }
        });
        return changes;
    }

    /** Whether the image has {@code relative}: the topmost layer that names it decides (a whiteout there: no). */
    private static boolean inImage(List<Path> lowers, Path relative) {
        for (Path lower : lowers) {
            Path entry = lower.resolve(relative);
            if (Files.exists(entry, LinkOption.NOFOLLOW_LINKS)) {
                return !isOverlayWhiteout(entry);
            }
        }
        return false;
    }

    /** overlayfs marks a deletion with a character device of number 0/0. */
    private static boolean isOverlayWhiteout(Path entry) {
        try {
            Object mode = Files.getAttribute(entry, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            Object rdev = Files.getAttribute(entry, "unix:rdev", LinkOption.NOFOLLOW_LINKS);
            return mode instanceof Integer m && (m & 0170000) == 0020000 && rdev instanceof Long r && r == 0;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }
}
