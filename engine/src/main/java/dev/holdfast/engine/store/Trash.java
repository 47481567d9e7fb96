package dev.holdfast.engine.store;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Directories on their way out. {@link #discard} renames one into the trash, so that it is gone from where it was
 * at once (a container's record with it, in one atomic step), and deletes it on a background thread: a removal
 * does not wait for its files to be deleted. What a crash leaves in the trash, {@link #emptyLeftovers} deletes at
 * the next boot.
 */
public final class Trash {
    private static final Logger LOG = Logger.getLogger(Trash.class.getName());

    private final Path dir;
    // One deletion at a time: the trash is emptied behind the requests, not in a hurry.
    private final ExecutorService deleter = Executors.newSingleThreadExecutor(Thread.ofVirtual().name("trash").factory());

    /** {@code dir} must be on the same filesystem as everything {@link #discard}ed into it. */
    public Trash(Path dir) {
        this.dir = dir;
    }

    /**
     * Moves {@code tree} into the trash and deletes it in the background. Nothing may be mounted below it: the
     * deletion would go into the mount.
     */
    public void discard(Path tree) throws IOException {
        Files.createDirectories(dir);
        Path entry = dir.resolve(tree.getFileName() + "." + System.nanoTime());
        Files.move(tree, entry, StandardCopyOption.ATOMIC_MOVE);
        deleteLater(entry);
    }

    /** Boot: deletes in the background what a crash left in the trash. */
    public void emptyLeftovers() {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                deleteLater(entry);
            }
        } catch (IOException e) {
            LOG.log(Level.WARNING, "listing the trash at " + dir + ": " + e.getMessage());
        }
    }

    private void deleteLater(Path entry) {
        deleter.execute(() -> {
            try {
                FileTrees.deleteRecursively(entry);
            } catch (IOException e) {
                LOG.log(Level.WARNING, "deleting " + entry + " from the trash: " + e.getMessage());
            }
        });
    }
}
