package dev.holdfast.supervisor.bundle;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The directory where one shim keeps its files (docs/internals.md, "The shim"): shim.pid, exit.json, runc.log, and
 * the shim's stderr. A task's is its {@link TaskDirectory}, an exec's its {@link ExecDirectory}.
 */
public abstract sealed class ProcessDirectory permits TaskDirectory, ExecDirectory {
    /** Prefix of a directory being removed (not a valid id, so never adopted). */
    public static final String REMOVING_PREFIX = ".removing-";

    private final Path path;

    protected ProcessDirectory(Path path) {
        this.path = path;
    }

    public final Path path() {
        return path;
    }

    public final Path shimPidFile() {
        return path.resolve("shim.pid");
    }

    public final Path exitJson() {
        return path.resolve("exit.json");
    }

    public final Path runcLog() {
        return path.resolve("runc.log");
    }

    /** Where the shim launcher sends the shim's own stderr (the shim logs to shim.log itself). */
    public final Path shimStderr() {
        return path.resolve("shim.stderr");
    }

    public final boolean exists() {
        return Files.isDirectory(path);
    }

    /** Creates the directory (mode from the umask) and syncs its parent. */
    public final void create() throws IOException {
        Files.createDirectory(path);
        AtomicFiles.syncDirectory(path.getParent());
    }

    /** exit.json, if the process has exited and it is readable. */
    public final Optional<ExitRecord> readExit() throws IOException {
        try {
            return Optional.of(ExitRecord.parse(Files.readAllBytes(exitJson())));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    public final void writeExit(ExitRecord exit) throws IOException {
        AtomicFiles.write(exitJson(), exit.toJson());
    }

    /** shim.pid's content, if present. */
    public final Optional<String> readShimPid() throws IOException {
        try {
            return Optional.of(Files.readString(shimPidFile(), StandardCharsets.US_ASCII));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    /** The process's pid as runc wrote it with --pid-file, if present and well formed. */
    public abstract OptionalInt readPid();

    /**
     * Removes the directory and everything in it; a missing directory is fine. The directory is first renamed out
     * of the way, so a crash midway leaves either all of it or a {@link #REMOVING_PREFIX} leftover.
     */
    public final void remove() throws IOException {
        if (!Files.exists(path)) {
            return;
        }
        Path doomed = path.resolveSibling(REMOVING_PREFIX + path.getFileName() + "-" + System.nanoTime());
        Files.move(path, doomed, StandardCopyOption.ATOMIC_MOVE);
        AtomicFiles.syncDirectory(path.getParent());
        removeTree(doomed);
    }

    /** Recursively deletes {@code root} (symlinks are removed, not followed). */
    public static void removeTree(Path root) throws IOException {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.deleteIfExists(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                Files.deleteIfExists(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    static OptionalInt readPidFile(Path file) {
        try {
            return OptionalInt.of(Integer.parseInt(Files.readString(file, StandardCharsets.US_ASCII).strip()));
        } catch (IOException | NumberFormatException e) {
            return OptionalInt.empty();
        }
    }
}
