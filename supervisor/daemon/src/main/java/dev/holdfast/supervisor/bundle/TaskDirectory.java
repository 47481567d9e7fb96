package dev.holdfast.supervisor.bundle;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * {@code <run>/supervisor/tasks/<id>/}: the task directory, which is also the OCI bundle. Knows the names of the
 * files in it (see docs/internals.md, "Supervisor state layout") and how to read and write them.
 */
public final class TaskDirectory {
    private final String id;
    private final Path path;

    public TaskDirectory(Path tasksDir, String id) {
        this.id = id;
        this.path = tasksDir.resolve(id);
    }

    public String id() {
        return id;
    }

    public Path path() {
        return path;
    }

    public Path configJson() {
        return path.resolve("config.json");
    }

    public Path shimPidFile() {
        return path.resolve("shim.pid");
    }

    public Path initPidFile() {
        return path.resolve("init.pid");
    }

    public Path exitJson() {
        return path.resolve("exit.json");
    }

    public Path runcLog() {
        return path.resolve("runc.log");
    }

    /** Where the shim launcher sends the shim's own stderr (the shim logs to shim.log itself). */
    public Path shimStderr() {
        return path.resolve("shim.stderr");
    }

    public boolean exists() {
        return Files.isDirectory(path);
    }

    /** Creates the directory (mode from the umask) and syncs its parent. */
    public void create() throws IOException {
        Files.createDirectory(path);
        AtomicFiles.syncDirectory(path.getParent());
    }

    /** Writes config.json atomically. */
    public void writeSpec(byte[] spec) throws IOException {
        AtomicFiles.write(configJson(), spec);
    }

    /** exit.json, if the task has exited and it is readable. */
    public Optional<ExitRecord> readExit() throws IOException {
        try {
            return Optional.of(ExitRecord.parse(Files.readAllBytes(exitJson())));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    public void writeExit(ExitRecord exit) throws IOException {
        AtomicFiles.write(exitJson(), exit.toJson());
    }

    /** shim.pid's content, if present. */
    public Optional<String> readShimPid() throws IOException {
        try {
            return Optional.of(Files.readString(shimPidFile(), StandardCharsets.US_ASCII));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    /** The container init pid runc wrote with --pid-file, if present and well formed. */
    public OptionalInt readInitPid() {
        try {
            String text = Files.readString(initPidFile(), StandardCharsets.US_ASCII).strip();
            return OptionalInt.of(Integer.parseInt(text));
        } catch (IOException | NumberFormatException e) {
            return OptionalInt.empty();
        }
    }

    /** Prefix of a task directory being removed (not a valid id, so never adopted). */
    public static final String REMOVING_PREFIX = ".removing-";

    /**
     * Removes the directory and everything in it; a missing directory is fine. The directory is first renamed out
     * of the way, so a crash midway leaves either the whole task or a {@link #REMOVING_PREFIX} leftover.
     */
    public void remove() throws IOException {
        if (!Files.exists(path)) {
            return;
        }
        Path doomed = path.resolveSibling(REMOVING_PREFIX + id + "-" + System.nanoTime());
        Files.move(path, doomed, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        AtomicFiles.syncDirectory(path.getParent());
        removeTree(doomed);
    }

    /** Recursively deletes {@code root} (symlinks are removed, not followed). */
    public static void removeTree(Path root) throws IOException {
        if (!Files.exists(root, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
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
}
