package dev.holdfast.supervisor.shim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.holdfast.supervisor.proc.ProcFs;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ShimPidFileTest {
    @Test
    void parses() {
        assertEquals(new ShimPidFile(123, 456789), ShimPidFile.parse("123 456789\n"));
        for (String bad : new String[] {"", "123", "a b", "123 456 7", "-1 5", "0 5"}) {
            assertThrows(IllegalArgumentException.class, () -> ShimPidFile.parse(bad), bad);
        }
    }

    @Test
    void recognisesTheShimCommandLine() {
        assertTrue(ShimPidFile.isShimCommandFor(List.of("/usr/lib/holdfast/holdfast-shim", "--id", "abc",
                "--bundle", "/b"), "abc"));
        assertTrue(ShimPidFile.isShimCommandFor(List.of("holdfast-shim", "--bundle", "/b", "--id", "abc"), "abc"));
        assertFalse(ShimPidFile.isShimCommandFor(List.of("/usr/lib/holdfast/holdfast-shim", "--id", "abcd"), "abc"));
        assertFalse(ShimPidFile.isShimCommandFor(List.of("/bin/sleep", "--id", "abc"), "abc"));
        assertFalse(ShimPidFile.isShimCommandFor(List.of("/x/holdfast-shim-asan", "--id", "abc"), "abc"));
        assertFalse(ShimPidFile.isShimCommandFor(List.of("/x/holdfast-shim", "abc", "--id"), "abc"));
        assertFalse(ShimPidFile.isShimCommandFor(List.of(), "abc"));
    }

    @Test
    void tellsExecShimsFromTheTasksShim() {
        List<String> exec = List.of("/x/holdfast-shim", "--id", "abc", "--bundle", "/b", "--exec-id", "e1",
                "--process", "/b/execs/e1/process.json");
        assertTrue(ShimPidFile.isShimCommandFor(exec, "abc", "e1"));
        assertFalse(ShimPidFile.isShimCommandFor(exec, "abc", "e2"));
        assertFalse(ShimPidFile.isShimCommandFor(exec, "abc"), "an exec's shim is not the task's");
        assertFalse(ShimPidFile.isShimCommandFor(List.of("/x/holdfast-shim", "--id", "abc"), "abc", "e1"));
        assertFalse(ShimPidFile.isShimCommandFor(exec, "abd", "e1"));
    }

    @Test
    void liveCheckNeedsMatchingStartTimeAndCommandLine() throws Exception {
        // A process whose argv[0] says holdfast-shim, with --id t1.
        Process p = new ProcessBuilder("bash", "-c", "exec -a /opt/holdfast-shim bash -c 'read line' --id t1").start();
        try {
            long pid = p.pid();
            long start = waitForExec(pid);
            assertTrue(new ShimPidFile((int) pid, start).isLiveShimFor("t1"));
            assertFalse(new ShimPidFile((int) pid, start).isLiveShimFor("t2"), "another task's id");
            assertFalse(new ShimPidFile((int) pid, start + 1).isLiveShimFor("t1"), "a reused pid");
            // Not a shim at all, though alive with the right start time: this JVM.
            long me = ProcessHandle.current().pid();
            assertFalse(new ShimPidFile((int) me, ProcFs.startTime(me).orElseThrow()).isLiveShimFor("t1"));
        } finally {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
        assertFalse(new ShimPidFile((int) p.pid(), 1).isLiveShimFor("t1"), "gone");
    }

    /** The start time, once the exec has replaced the command line. */
    private static long waitForExec(long pid) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            var args = ProcFs.cmdline(pid).orElseThrow();
            if (!args.isEmpty() && args.get(0).equals("/opt/holdfast-shim")) {
                return ProcFs.startTime(pid).orElseThrow();
            }
            Thread.onSpinWait();
        }
        throw new AssertionError("exec did not happen");
    }
}
