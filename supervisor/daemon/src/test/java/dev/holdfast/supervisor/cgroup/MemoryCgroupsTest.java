package dev.holdfast.supervisor.cgroup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MemoryCgroupsTest {
    private static final String HYBRID_TMPFS = "30 22 0:27 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755";
    private static final String V1_CPU = "31 30 0:28 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu";
    private static final String V1_MEMORY = "34 30 0:31 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory";
    private static final String HYBRID_V2 = "40 30 0:37 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw";
    private static final String UNIFIED = "29 23 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec shared:4 - cgroup2 cgroup2 rw";

    @Test
    void aHybridHostKeepsMemoryInV1() {
        MemoryCgroups m = MemoryCgroups.fromMountInfo(List.of(HYBRID_TMPFS, V1_CPU, HYBRID_V2, V1_MEMORY)).orElseThrow();
        assertEquals(Path.of("/sys/fs/cgroup/memory/holdfast/c1"), m.directory("/holdfast/c1"));
    }

    @Test
    void aUnifiedHostUsesV2() {
        MemoryCgroups m = MemoryCgroups.fromMountInfo(List.of(UNIFIED)).orElseThrow();
        assertEquals(Path.of("/sys/fs/cgroup/holdfast/c1"), m.directory("/holdfast/c1"));
    }

    @Test
    void noControllerNoCgroups() {
        assertEquals(java.util.Optional.empty(), MemoryCgroups.fromMountInfo(List.of(HYBRID_TMPFS, V1_CPU)));
    }

    @Test
    void systemdFormIsRefused() {
        MemoryCgroups m = MemoryCgroups.fromMountInfo(List.of(UNIFIED)).orElseThrow();
        assertThrows(IllegalArgumentException.class, () -> m.directory("system.slice:holdfast:c1"));
    }

    @Test
    void readsTheOomKillCounterOfEitherVersion(@TempDir Path root) throws IOException {
        Path v1 = Files.createDirectories(root.resolve("v1/holdfast/c1"));
        Files.writeString(v1.resolve("memory.oom_control"), "oom_kill_disable 0\nunder_oom 0\noom_kill 2\n");
        assertEquals(OptionalLong.of(2), new MemoryCgroups(root.resolve("v1"), false).oomKills("/holdfast/c1"));
        Path v2 = Files.createDirectories(root.resolve("v2/holdfast/c1"));
        Files.writeString(v2.resolve("memory.events"), "low 0\nhigh 0\nmax 5\noom 1\noom_kill 1\noom_group_kill 0\n");
        assertEquals(OptionalLong.of(1), new MemoryCgroups(root.resolve("v2"), true).oomKills("/holdfast/c1"));
        assertEquals(OptionalLong.of(0), new MemoryCgroups(root.resolve("v2"), true).oomKills("/holdfast/gone"),
                "a removed cgroup counted nothing any more");
        Path old = Files.createDirectories(root.resolve("old/c1"));
        Files.writeString(old.resolve("memory.oom_control"), "oom_kill_disable 0\nunder_oom 0\n");
        assertEquals(OptionalLong.empty(), new MemoryCgroups(root.resolve("old"), false).oomKills("/c1"));
    }
}
