package dev.holdfast.supervisor.proc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class ProcFsTest {
    private static final String TAIL = " 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 424242 20 21 22";

    @Test
    void startTimeIsField22() {
        assertEquals(OptionalLong.of(424242), ProcFs.parseStartTime("123 (holdfast-shim) S" + TAIL));
    }

    @Test
    void commandNamesWithSpacesAndParensDoNotShiftFields() {
        assertEquals(OptionalLong.of(424242), ProcFs.parseStartTime("123 (a b) c) (d) R" + TAIL));
    }

    @Test
    void zombiesAndGarbageHaveNoStartTime() {
        assertTrue(ProcFs.parseStartTime("123 (x) Z" + TAIL).isEmpty());
        assertTrue(ProcFs.parseStartTime("123 (x) X" + TAIL).isEmpty());
        assertTrue(ProcFs.parseStartTime("garbage").isEmpty());
        assertTrue(ProcFs.parseStartTime("1 (x) S 1 2").isEmpty());
    }

    @Test
    void ownStartTimeMatchesProc() throws Exception {
        long me = ProcessHandle.current().pid();
        String stat = Files.readString(Path.of("/proc/self/stat"));
        String field22 = stat.substring(stat.lastIndexOf(')') + 2).split(" ")[19];
        assertEquals(Long.parseLong(field22), ProcFs.startTime(me).orElseThrow());
        assertFalse(ProcFs.startTime(Integer.MAX_VALUE).isPresent());
    }

    @Test
    void cmdline() {
        assertEquals(List.of("a", "--id", "x y"),
                ProcFs.parseCmdline("a\0--id\0x y\0".getBytes(StandardCharsets.UTF_8)));
        assertEquals(List.of(), ProcFs.parseCmdline(new byte[0]));
        assertTrue(ProcFs.cmdline(ProcessHandle.current().pid()).orElseThrow().get(0).endsWith("java"));
    }
}
