package dev.holdfast.supervisor.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TaskDirectoryTest {
    @Test
    void writesAndReadsItsFiles(@TempDir Path tasks) throws IOException {
        TaskDirectory d = new TaskDirectory(tasks, "t1");
        assertFalse(d.exists());
        d.create();
        d.writeSpec("{}".getBytes());
        assertEquals("{}", Files.readString(d.configJson()));
        d.writeSpec("{\"a\":1}".getBytes());
        assertEquals("{\"a\":1}", Files.readString(d.configJson()));
        try (var s = Files.list(d.path())) {
            assertEquals(1, s.count(), "no tmp file left behind");
        }
        assertEquals(Optional.empty(), d.readExit());
        ExitRecord e = new ExitRecord(42, 7, Instant.parse("2026-11-22T03:58:37.123456789Z"));
        d.writeExit(e);
        assertEquals(Optional.of(e), d.readExit());
        assertEquals(OptionalInt.empty(), d.readInitPid());
        Files.writeString(d.initPidFile(), "4242");
        assertEquals(OptionalInt.of(4242), d.readInitPid());
        d.remove();
        assertFalse(Files.exists(d.path()));
        d.remove();
    }

    @Test
    void exitJsonAsTheShimWritesIt() throws IOException {
        ExitRecord e = ExitRecord.parse(
                "{\"pid\":123,\"exit_code\":7,\"exited_at\":\"2026-11-22T03:58:37.123456789Z\"}\n".getBytes());
        assertEquals(new ExitRecord(123, 7, Instant.parse("2026-11-22T03:58:37.123456789Z")), e);
        assertEquals(e, ExitRecord.parse(e.toJson()));
        assertTrue(new String(e.toJson()).contains("\"exited_at\":\"2026-11-22T03:58:37.123456789Z\""));
        assertFalse(new String(e.toJson()).contains("oom_killed"), "no verdict yet");
        ExitRecord settled = e.withOomKilled(true);
        assertEquals(settled, ExitRecord.parse(settled.toJson()));
        assertEquals(Optional.of(true), ExitRecord.parse(settled.toJson()).oomKilled());
        assertThrows(IOException.class, () -> ExitRecord.parse("{}".getBytes()));
        assertThrows(IOException.class, () -> ExitRecord.parse("{\"exit_code\":1,\"exited_at\":\"x\"}".getBytes()));
    }
}
