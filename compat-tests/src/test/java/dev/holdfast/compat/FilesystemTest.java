package dev.holdfast.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** A container's filesystem through the CLI: {@code docker diff} and {@code docker export}, on a stopped container. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FilesystemTest {
    @AutoClose
    private final HoldfastDaemon holdfast = HoldfastDaemon.start();

    @Test
    void diffShowsAddedChangedAndDeletedPaths() {
        String id = holdfast.docker("run", "-d", "busybox", "sh", "-c",
                "echo new > /added; echo more >> /etc/passwd; rm /bin/ls").assertOk().out();
        holdfast.docker("wait", id).assertOk();
        List<String> diff = holdfast.docker("diff", id).assertOk().out().lines().toList();
        assertTrue(diff.containsAll(List.of("A /added", "C /etc", "C /etc/passwd", "C /bin", "D /bin/ls")),
                diff::toString);
        holdfast.docker("rm", id).assertOk();
    }

    @Test
    void exportStreamsTheRootFilesystemAsATar() {
        String id = holdfast.docker("create", "busybox", "sh", "-c", "echo kept > /kept").assertOk().out();
        holdfast.docker("start", "-a", id).assertOk();
        Path archive = holdfast.root().resolve("export.tar");
        holdfast.docker("export", "-o", archive.toString(), id).assertOk();
        List<String> names = NetworkLeftovers.host("tar", "tf", archive.toString()).lines().toList();
        assertTrue(names.containsAll(List.of("./bin/busybox", "./etc/passwd", "./kept")),
                () -> names.size() + " entries: " + names);
        assertEquals("kept", NetworkLeftovers.host("tar", "xOf", archive.toString(), "./kept").strip());
        holdfast.docker("rm", id).assertOk();
    }
}
