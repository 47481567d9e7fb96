package dev.holdfast.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/**
 * {@code holdfast check}: an instance in use (a container running with a published port and a volume, one on a user
 * network, one exited that counted on its output) has no violation; faults made behind holdfast's back (a stray
 * mount, a mount stacked on a container's root filesystem, an orphan cgroup, a process killed while the engine was down, a record's pid edited, a line lost from a
 * log, a forwarding rule of a subnet no network has, the engine's API gone) are each reported, with where to look,
 * and exit status 1; once they are undone and the engine has reconciled, nothing is reported again.
 */
class HoldfastCheckTest {
    @AutoClose
    private final HoldfastDaemon holdfast = HoldfastDaemon.start();

    @Test
    void aCleanInstancePassesAndEachFaultMadeBehindItsBackIsReported() throws IOException, InterruptedException {
        int port = Loopback.freePort();
        docker("run", "-d", "--name", "web", "-p", "127.0.0.1:" + port + ":80", "-v", "checked:/data", "busybox",
                "httpd", "-f", "-p", "80").assertOk();
        docker("network", "create", "checknet").assertOk();
        docker("run", "-d", "--name", "onnet", "--network", "checknet", "busybox", "sleep", "1000").assertOk();
        docker("run", "--name", "done", "busybox", "seq", "0", "20").assertOk();

        DockerResult clean = holdfast.holdfast("check");
        assertEquals(0, clean.exitCode(), clean.toString());
        assertTrue(clean.out().startsWith("holdfast check: 0 violations (3 containers, 2 running, 2 tasks, 2 shims,"),
                clean.out());

        String fakeId = "f".repeat(64);
        Path strayMount = Files.createDirectories(holdfast.dataDir().resolve("containers/" + fakeId + "/rootfs"));
        run("mount", "-t", "tmpfs", "stray", strayMount.toString());
        Path orphanCgroup = Files.createDirectories(Path.of("/sys/fs/cgroup/pids" + config("cgroup_parent") + "/"
                + fakeId));
        // A forwarding rule for a subnet of the instance's pool that no network has (one removed, its rule left).
        String pool = config("pool");
        List<String> strayRule = List.of("NETAVARK_FORWARD", "-s", pool.substring(0, pool.lastIndexOf('/')) + "/28",
                "-j", "ACCEPT");
        run(concat(List.of("iptables", "-A"), strayRule));
        Path doneLog = Path.of(docker("inspect", "-f", "{{.LogPath}}", "done").assertOk().out());
        String doneOutput = Files.readString(doneLog);
        String webId = docker("inspect", "-f", "{{.Id}}", "web").assertOk().out();
        Path webRootfs = holdfast.dataDir().resolve("containers/" + webId + "/rootfs");
        // A second mount over a running container's root filesystem, as a repeated mount without its unmount would be.
        run("mount", "-t", "tmpfs", "stacked", webRootfs.toString());
        try {
            Files.writeString(doneLog, doneOutput.lines().filter(l -> !l.contains("\"log\":\"7\\n\""))
                    .map(l -> l + "\n").collect(Collectors.joining()));
            String onnetPid = docker("inspect", "-f", "{{.State.Pid}}", "onnet").assertOk().out();
            holdfast.crashEngineForGood();
            run("kill", "-9", onnetPid);
            Await.until(HoldfastDaemon.DOCKER_TIMEOUT, () -> isGone(onnetPid), "pid " + onnetPid + " gone");
            Path webRecord = holdfast.dataDir().resolve("containers/" + webId + "/container.json");
            Files.writeString(webRecord, Files.readString(webRecord).replaceFirst("\"Pid\":\\d+", "\"Pid\":1"));

            DockerResult faulty = holdfast.holdfast("check");
            assertEquals(1, faulty.exitCode(), faulty.toString());
            String report = faulty.out();
            assertTrue(report.contains("(/onnet) is recorded running as pid " + onnetPid
                    + ", but no such process lives"), report);
            assertTrue(report.contains("(/onnet) is recorded running, but its task has stopped"), report);
            assertTrue(report.contains("(/web) is recorded running as pid 1, its task as pid "), report);
            assertTrue(report.contains("a mount of a container no record has (look at " + strayMount + ")"), report);
            assertTrue(report.contains("a cgroup of no running container (look at " + orphanCgroup + ")"), report);
            assertTrue(report.contains("(/done) counts on its output, but line 8 is 8 after 6 (1 lines missing)"),
                    report);
            assertTrue(report.contains("the docker CLI fails against the engine"), report);
            assertTrue(report.contains("a firewall rule for subnet " + strayRule.get(2) + ", which no network of this"
                    + " instance has (look at iptables -t filter -S: -A NETAVARK_FORWARD -s " + strayRule.get(2)), report);
            assertTrue(report.contains("2 mounts stacked at one point (holdfast mounts each once: a repeated mount that"
                    + " was never undone) (look at " + webRootfs + ")"), report);
            assertTrue(report.lines().toList().getLast().startsWith("holdfast check: 9 violations"), report);
        } finally {
            Files.writeString(doneLog, doneOutput);
            run("umount", strayMount.toString());
            run("umount", webRootfs.toString());
            Files.delete(orphanCgroup);
            run(concat(List.of("iptables", "-D"), strayRule));
        }

        // The engine's boot records onnet's exit and removes the stray container directory; web's record was broken
        // by hand, so web goes.
        holdfast.engine("start");
        docker("rm", "-f", "web").assertOk();
        Await.until(HoldfastDaemon.DOCKER_TIMEOUT,
                () -> docker("inspect", "-f", "{{.State.Status}}", "onnet").out().equals("exited"), "onnet exited");
        DockerResult healed = holdfast.holdfast("check");
        assertEquals(0, healed.exitCode(), healed.toString());
    }

    /** Gone or a zombie (the shim reaps it soon). */
    private static boolean isGone(String pid) {
        try {
            return Files.readString(Path.of("/proc/" + pid + "/stat")).contains(") Z ");
        } catch (IOException gone) {
            return true;
        }
    }

    /** A string value of the instance's config; the keys asked for are unique across its sections. */
    private String config(String key) throws IOException {
        return Files.readAllLines(holdfast.config()).stream().filter(l -> l.matches(key + " *=.*")).findFirst()
                .orElseThrow().replaceAll(".*\"(.*)\".*", "$1");
    }

    private static String[] concat(List<String> head, List<String> tail) {
        return Stream.concat(head.stream(), tail.stream()).toArray(String[]::new);
    }

    private DockerResult docker(String... args) {
        return holdfast.docker(args);
    }

    private static void run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(List.of(command)).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), String.join(" ", command) + ": " + output);
    }
}
