package dev.holdfast.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/**
 * A container whose memory limit gets a process OOM-killed: exit code 137, State.OOMKilled true, and an {@code oom}
 * event before {@code die}, as dockerd reports it; also when the kill happened while the engine was down.
 */
class OomKillTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    // tail keeps the whole of an endless line in memory.
    private static final String HOG = "tail /dev/zero";

    @AutoClose
    private HoldfastDaemon holdfast;

    @Test
    void aContainerKilledByItsMemoryLimitIsReportedOomKilled() {
        holdfast = HoldfastDaemon.start();
        Instant before = Instant.now();

        // Swap limited to the memory limit, so the allocation cannot escape to swap: the OOM killer must act.
        holdfast.docker("run", "--name", "hog", "-m", "8m", "--memory-swap", "8m", "busybox", "sh", "-c", HOG)
                .assertExit(137);

        assertEquals("true 137", holdfast.docker("inspect", "-f", "{{.State.OOMKilled}} {{.State.ExitCode}}", "hog")
                .assertOk().out());
        assertEquals(List.of("oom", "die"), events("hog", before));

        holdfast.docker("run", "--name", "modest", "-m", "8m", "--memory-swap", "8m", "busybox", "true").assertOk();
        assertEquals("false", holdfast.docker("inspect", "-f", "{{.State.OOMKilled}}", "modest").assertOk().out());
    }

    @Test
    void anOomKillWhileTheEngineIsDownIsReportedAfterItsStart() throws IOException {
        holdfast = HoldfastDaemon.start();
        Path flags = Files.createDirectories(holdfast.root().resolve("flags"));
        holdfast.docker("run", "-d", "--name", "hog", "-v", flags + ":/flags", "-m", "8m", "--memory-swap", "8m",
                "busybox", "sh", "-c", "while [ ! -e /flags/go ]; do sleep 0.1; done; " + HOG).assertOk();
        long pid = Long.parseLong(holdfast.docker("inspect", "-f", "{{.State.Pid}}", "hog").assertOk().out());
        Instant before = Instant.now();

        holdfast.engine("kill");
        Files.createFile(flags.resolve("go"));
        Await.until(WAIT, () -> ProcessHandle.of(pid).isEmpty(), "the hog is killed while the engine is down");
        holdfast.engine("start");

        assertEquals("true 137", holdfast.docker("inspect", "-f", "{{.State.OOMKilled}} {{.State.ExitCode}}", "hog")
                .assertOk().out());
        assertEquals(List.of("oom", "die"), events("hog", before));
        Files.delete(flags.resolve("go"));
        holdfast.docker("start", "hog").assertOk();
        assertEquals("true false", holdfast.docker("inspect", "-f", "{{.State.Running}} {{.State.OOMKilled}}", "hog")
                .assertOk().out(), "a new run starts without the last one's verdict");
    }

    /** The container's oom and die events since {@code since}, in order. */
    private List<String> events(String name, Instant since) {
        String out = holdfast.docker("events", "--since", String.valueOf(since.getEpochSecond() - 1), "--until",
                String.valueOf(Instant.now().getEpochSecond() + 1), "--filter", "container=" + name,
                "--filter", "event=oom", "--filter", "event=die", "--format", "{{.Action}}").assertOk().out();
        return out.isEmpty() ? List.of() : List.of(out.split("\n"));
    }
}
