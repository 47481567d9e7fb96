package dev.holdfast.engine.log;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A container's json-file log as the shim leaves it: {@code <id>-json.log} being written, and rotated files
 * {@code .1} (newest) … {@code .N} (oldest). Files are identified by inode, since rotation renames them.
 */
public final class LogFiles {
    private final Path live;

    public LogFiles(Path live) {
        this.live = live;
    }

    public Path live() {
        return live;
    }

    /** Every existing file, oldest first, ending with the live one. */
    public List<Path> oldestFirst() {
        List<Path> rotated = new ArrayList<>();
        for (int i = 1; Files.exists(rotated(i)); i++) {
            rotated.add(0, rotated(i));
        }
        if (Files.exists(live)) {
            rotated.add(live);
        }
        return rotated;
    }

    /** The file written after the one with {@code key}; empty when that one is the live file. */
    Optional<Path> newerThan(Object key) {
        List<Path> files = oldestFirst();
        for (int i = 0; i < files.size(); i++) {
            if (Objects.equals(key(files.get(i)), key)) {
                return i + 1 < files.size() ? Optional.of(files.get(i + 1)) : Optional.empty();
            }
        }
        // Ours was rotated out of existence while we read it: carry on with the oldest that is left.
        return files.isEmpty() ? Optional.empty() : Optional.of(files.get(0));
    }

    static Object key(Path file) {
        try {
            return Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
        } catch (IOException e) {
            return null;
        }
    }

    private Path rotated(int n) {
        return live.resolveSibling(live.getFileName() + "." + n);
    }
}
