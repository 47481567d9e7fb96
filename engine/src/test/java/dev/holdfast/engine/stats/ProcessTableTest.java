package dev.holdfast.engine.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcessTableTest {
    @Test
    void psColumns() {
        assertEquals("?", ProcessTable.tty(0));
        assertEquals("pts/3", ProcessTable.tty((136 << 8) | 3));
        assertEquals("00:01:05", ProcessTable.cpuTime(65));
        assertEquals("2-01:00:00", ProcessTable.cpuTime(2 * 86400 + 3600));
    }

    @Test
    void rowFromProc(@TempDir Path dir) throws Exception {
        Path proc = dir.resolve("proc");
        Path p = Files.createDirectories(proc.resolve("42"));
        Files.writeString(proc.resolve("uptime"), "1000.00 10.00\n");
        Files.writeString(p.resolve("stat"), "42 (sh -c) S 7 42 42 0 -1 0 0 0 0 0 500 500 0 0 20 0 1 0 50000 0 0\n");
        Files.writeString(p.resolve("status"), "Name:\tsh\nUid:\t1000\t1000\t1000\t1000\n");
        Files.write(p.resolve("cmdline"), "sh\0-c\0sleep 5\0".getBytes());
        Path passwd = Files.writeString(dir.resolve("passwd"), "root:x:0:0::/root:/bin/sh\nalice:x:1000:1000::/h:/bin/sh\n");
        List<String> row = new ProcessTable(proc, passwd).row(42, 1000.0, Instant.now().minusSeconds(1000));
        assertEquals(List.of("alice", "42", "7", "2"), row.subList(0, 4));
        assertEquals("?", row.get(5));
        assertEquals("00:00:10", row.get(6));
        assertEquals("sh -c sleep 5", row.get(7));
    }
}
