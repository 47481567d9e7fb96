package dev.holdfast.engine.store;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrashTest {
    @TempDir
    Path root;

    @Test
    void aDiscardedTreeIsGoneAtOnceAndItsFilesAreDeletedBehind() throws IOException, InterruptedException {
        Path tree = root.resolve("containers/abc");
        Files.createDirectories(tree.resolve("diff/etc"));
        Files.writeString(tree.resolve("container.json"), "{}");
        Files.writeString(tree.resolve("diff/etc/hosts"), "127.0.0.1 localhost\n");
        Trash trash = new Trash(root.resolve("trash"));

        trash.discard(tree);

        assertFalse(Files.exists(tree), "the record goes with the rename");
        awaitEmpty(root.resolve("trash"));
    }

    @Test
    void whatACrashLeftInTheTrashIsDeletedAtBoot() throws IOException, InterruptedException {
        Path left = root.resolve("trash/abc.123");
        Files.createDirectories(left.resolve("diff"));
        Files.writeString(left.resolve("diff/file"), "x");
        Files.createSymbolicLink(left.resolve("link"), root.resolve("outside"));
        Files.writeString(root.resolve("outside"), "kept");

        new Trash(root.resolve("trash")).emptyLeftovers();

        awaitEmpty(root.resolve("trash"));
        assertTrue(Files.exists(root.resolve("outside")), "a symlink is removed, never followed");
    }

    @Test
    void anAbsentTrashHasNothingToEmpty() {
        new Trash(root.resolve("trash")).emptyLeftovers();
        assertFalse(Files.exists(root.resolve("trash")));
    }

    private static void awaitEmpty(Path dir) throws IOException, InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(10));
        while (true) {
            try (Stream<Path> entries = Files.list(dir)) {
                if (entries.findAny().isEmpty()) {
                    return;
                }
            }
            assertTrue(Instant.now().isBefore(deadline), "the trash at " + dir + " was not emptied within 10 s");
            Thread.sleep(10);
        }
    }
}
