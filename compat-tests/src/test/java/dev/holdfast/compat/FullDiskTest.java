package dev.holdfast.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * A data root on a small tmpfs that fills up: API calls that must write fail with Docker's error naming the full
 * disk and change nothing, every record stays readable (also across an engine restart while full), a container
 * writing to its log keeps running (its lines are dropped, and counted in its log once space returns), and
 * everything works again once space is freed.
 */
class FullDiskTest {
    private static final String NO_SPACE = "no space left on device";

    @Test
    void aFullDataRootGivesClearErrorsKeepsEveryRecordAndRecoversWhenSpaceIsFreed() throws Exception {
        Path disk = Files.createTempDirectory("hf-full-");
        run("mount", "-t", "tmpfs", "-o", "size=48m", "holdfast-full-disk", disk.toString());
        try {
            HoldfastDaemon holdfast = HoldfastDaemon.builder().config("paths.data", disk.resolve("data").toString())
                    .start();
            try {
                full(holdfast, disk);
            } finally {
                holdfast.close();
            }
        } finally {
            run("umount", disk.toString());
            Files.delete(disk);
        }
    }

    private static void full(HoldfastDaemon holdfast, Path disk) throws IOException {
        holdfast.docker("run", "-d", "--name", "counter", "busybox", "sh", "-c",
                "i=0; while :; do echo line $i; i=$((i+1)); sleep 0.05; done").assertOk();
        String kept = holdfast.docker("create", "--name", "kept", "busybox", "true").assertOk().out();
        Path filler = disk.resolve("filler");
        fill(filler);

        assertFailsForNoSpace(holdfast.docker("create", "busybox", "true"));
        assertFailsForNoSpace(holdfast.docker("rename", "kept", "renamed"));
        assertFailsForNoSpace(holdfast.docker("volume", "create", "full"));
        assertFailsForNoSpace(holdfast.docker("network", "create", "full"));
        assertFailsForNoSpace(holdfast.docker("tag", "busybox", "full:tag"));
        assertFailsForNoSpace(holdfast.docker("commit", "counter", "full:commit"));
        assertFailsForNoSpace(holdfast.docker("commit", "--pause=false", "counter", "full:commit"));
        assertEquals("busybox:latest", holdfast.docker("images", "--format", "{{.Repository}}:{{.Tag}}").assertOk()
                .out(), "a failed tag or commit leaves no image");
        assertFailsForNoSpace(holdfast.docker("pause", "counter"));
        // A pause (or commit) that cannot be recorded thaws the container again: the counter goes on (checked below).
        assertEquals("/kept", holdfast.docker("inspect", "-f", "{{.Name}}", "kept").assertOk().out(),
                "a failed rename changes nothing");
        // Events while full are lost, but must not cost the journal the history written before (the journal keeps
        // 8 segments: a new one per failed write used to push the old ones out). 40 kill events fill more than
        // the free rest of the segment's last page (tmpfs takes no space for it); SIGWINCH: sh ignores it.
        for (int i = 0; i < 40; i++) {
            holdfast.docker("kill", "-s", "WINCH", "counter").assertOk();
        }

        // Every record reads back after a restart while the disk is still full.
        holdfast.engine("restart");
        assertEquals(List.of("counter running", "kept created"), holdfast.docker("ps", "-a", "--format",
                "{{.Names}} {{.State}}").assertOk().out().lines().sorted().toList());

        int countWhenFull = lastCount(holdfast.docker("logs", "counter").assertOk().out());
        Files.delete(filler);
        assertEquals("ok", holdfast.docker("run", "--rm", "busybox", "echo", "ok").assertOk().out());
        holdfast.docker("rename", "kept", "renamed").assertOk();
        holdfast.docker("volume", "create", "full").assertOk();
        holdfast.docker("network", "create", "full").assertOk();
        holdfast.docker("tag", "busybox", "full:tag").assertOk();
        holdfast.docker("commit", "counter", "full:commit").assertOk();

        // The counter never blocked on its log: it went on counting, and its log says (on stderr) what it lost.
        DockerResult logs = Await.value(HoldfastDaemon.DOCKER_TIMEOUT, () -> holdfast.docker("logs", "counter"),
                l -> l.stderr().contains("log lines dropped: No space left on device")
                        && lastCount(l.out()) > countWhenFull + 5, "the counter's log after space was freed");
        assertTrue(logs.stderr().lines().allMatch(l -> l.matches("holdfast: \\d+ log lines dropped: .*")),
                logs.stderr());
        assertEquals("true", holdfast.docker("inspect", "-f", "{{.State.Running}}", "counter").assertOk().out());
        assertEquals("create", holdfast.docker("events", "--since", "1h", "--until", "0s", "--filter",
                "container=" + kept, "--format", "{{.Action}}").assertOk().out().lines().findFirst().orElse(""),
                "the event journal still holds what was written before the disk filled");
    }

    /** The count on the last line of the counter's output. */
    private static int lastCount(String logs) {
        String last = logs.lines().reduce((a, b) -> b).orElse("");
        return last.startsWith("line ") ? Integer.parseInt(last.substring("line ".length())) : -1;
    }

    private static void assertFailsForNoSpace(DockerResult result) {
        assertNotEquals(0, result.exitCode(), result.toString());
        assertTrue(result.stderr().toLowerCase(Locale.ROOT).contains(NO_SPACE), result.toString());
    }

    /** Writes {@code file} until the filesystem is full, to the last byte (smaller and smaller writes). */
    private static void fill(Path file) throws IOException {
        try (OutputStream out = Files.newOutputStream(file)) {
            for (int size : new int[] {1 << 20, 4096, 1}) {
                byte[] chunk = new byte[size];
                try {
                    while (true) {
                        out.write(chunk);
                        out.flush();
                    }
                } catch (IOException full) {
                    assertTrue(String.valueOf(full.getMessage()).toLowerCase(Locale.ROOT).contains(NO_SPACE),
                            "filling: " + full);
                }
            }
        }
    }

    private static void run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), String.join(" ", command) + ": " + output);
    }

}
