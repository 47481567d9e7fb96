package dev.holdfast.supervisor.cgroup;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Real cgroups (the tests run as root): the unified (v2) directory is where a killed process made rmdir EBUSY. */
class LeftoverCgroupsTest {
    private static final Path UNIFIED = Path.of("/sys/fs/cgroup/unified");
    private final String parent = "holdfast-leftover-test-" + ProcessHandle.current().pid();

    @Test
    void aCgroupWithALiveProcessIsEmptiedAndRemovedInEveryHierarchy() throws Exception {
        // Several rounds: the race (the process still exiting when rmdir runs) does not come every time.
        for (int round = 0; round < 10; round++) {
            String id = "c" + round;
            List<Path> dirs = List.of(UNIFIED.resolve(parent).resolve(id),
                    Path.of("/sys/fs/cgroup/pids").resolve(parent).resolve(id));
            Process sleeper = new ProcessBuilder("sleep", "60").start();
            for (Path dir : dirs) {
                Files.createDirectories(dir);
                Files.writeString(dir.resolve("cgroup.procs"), Long.toString(sleeper.pid()));
            }

            LeftoverCgroups.remove(id, "/" + parent + "/" + id);

            for (Path dir : dirs) {
                assertFalse(Files.exists(dir), "round " + round + ": " + dir + " is left");
            }
            assertTrue(sleeper.waitFor(5, TimeUnit.SECONDS), "round " + round + ": the process was not killed");
        }
    }

    @AfterEach
    void removeParents() throws IOException {
        for (Path hierarchy : List.of(UNIFIED, Path.of("/sys/fs/cgroup/pids"))) {
            Files.deleteIfExists(hierarchy.resolve(parent));
        }
    }
}
