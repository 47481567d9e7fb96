package dev.holdfast.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/**
 * A host reboot ({@code holdfast simulate-reboot}: every process, mount, namespace, bridge, firewall rule and the run
 * directory of the instance gone, then supervisor and engine started again). As after dockerd's restore: the runs
 * that were going on end with exit code 255 and no error; {@code always}, {@code unless-stopped} (unless the user
 * stopped it; a paused one too) and {@code on-failure} (255 is a failure) containers start again, anew (RestartCount 0), with their
 * networks, addresses, names and published ports rebuilt; nothing of the old boot is left.
 */
class RebootTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final Set<String> RESTARTED = Set.of("onfailure", "always", "unless", "paused", "web", "a1", "a2");

    @AutoClose
    private HoldfastDaemon holdfast;

    @Test
    void aRebootRestartsWhatTheRestartPoliciesRestartWithItsNetworking() throws IOException {
        holdfast = HoldfastDaemon.start();
        int port = Loopback.freePort();
        docker("network", "create", "app").assertOk();
        sleeper("none");
        sleeper("onfailure", "--restart", "on-failure");
        docker("volume", "create", "-o", "type=tmpfs", "-o", "device=tmpfs", "-o", "o=size=4m", "scratch").assertOk();
        sleeper("always", "--restart", "always", "-v", "scratch:/scratch");
        sleeper("unless", "--restart", "unless-stopped");
        sleeper("paused", "--restart", "always");
        docker("pause", "paused").assertOk();
        sleeper("stoppedbyuser", "--restart", "unless-stopped");
        docker("stop", "-t", "0", "stoppedbyuser").assertOk();
        docker("run", "-d", "--name", "succeeded", "--restart", "on-failure", "busybox", "true").assertOk();
        docker("run", "-d", "--name", "web", "--restart", "always", "-p", "127.0.0.1:" + port + ":80", "busybox",
                "httpd", "-f", "-p", "80", "-h", "/etc").assertOk();
        sleeper("a1", "--restart", "unless-stopped", "--network", "app");
        sleeper("a2", "--restart", "always", "--network", "app", "--network-alias", "db");
        Await.until(WAIT, () -> state("succeeded").equals("exited 0"), "succeeded exited 0");
        List<String> pidsBefore = RESTARTED.stream().map(name -> inspect(name, "{{.State.Pid}}")).toList();
        Instant reboot = Instant.now();

        holdfast.holdfast("simulate-reboot").assertOk();

        assertRunningExactly(RESTARTED);
        for (String name : RESTARTED) {
            assertEquals("0", inspect(name, "{{.RestartCount}}"), name + " is started anew, as by dockerd's restore");
        }
        List<String> pidsAfter = RESTARTED.stream().map(name -> inspect(name, "{{.State.Pid}}")).toList();
        assertTrue(pidsBefore.stream().noneMatch(pidsAfter::contains), "new processes: " + pidsBefore + " " + pidsAfter);
        assertEquals("exited 255 error=", state("none") + " error=" + inspect("none", "{{.State.Error}}"),
                "a run a reboot ended: dockerd's exit code 255 and no error");
        assertFalse(Instant.parse(inspect("none", "{{.State.FinishedAt}}")).isBefore(reboot.minusSeconds(1)),
                "finished at the reboot");
        assertEquals("exited 137", state("stoppedbyuser"), "unless-stopped, stopped by the user: stays down");
        assertEquals("exited 0", state("succeeded"), "on-failure after a success: stays down");

        assertEquals(inspect("web", "{{.Config.Hostname}}") + "\n", hostnameServedOn(port),
                "the published port answers from the host");
        assertEquals("tmpfs", docker("exec", "always", "sh", "-c", "grep ' /scratch ' /proc/mounts | cut -d' ' -f3")
                .assertOk().out(), "the tmpfs volume is mounted again for the restarted container");
        assertTrue(docker("exec", "a1", "ping", "-c1", "-W2", "db").ok(), "a1 finds a2 by its alias on app");
        assertTrue(docker("exec", "a2", "ping", "-c1", "-W2", "a1").ok(), "a2 finds a1 by its name on app");
        assertNothingStale();
    }

    /** A reboot while {@code engine restart} is handing over: the new engine boots, the old one serves. */
    @Test
    void aRebootDuringAnEngineRestartLeavesTheSameOutcome() throws Exception {
        holdfast = HoldfastDaemon.start();
        int port = Loopback.freePort();
        sleeper("none");
        docker("run", "-d", "--name", "web", "--restart", "always", "-p", "127.0.0.1:" + port + ":80", "busybox",
                "httpd", "-f", "-p", "80", "-h", "/etc").assertOk();
        CompletableFuture<DockerResult> restart = CompletableFuture.supplyAsync(
                () -> holdfast.holdfast("engine", "restart"));
        Await.until(WAIT, () -> enginePids().size() == 2, "a second engine booting for the restart");
        assertFalse(restart.isDone(), "the restart is still going on: " + (restart.isDone() ? restart.join() : ""));

        holdfast.holdfast("simulate-reboot").assertOk();

        assertFalse(restart.get().ok(), "the restart the reboot cut short fails: " + restart.get());
        assertRunningExactly(Set.of("web"));
        assertEquals("exited 255", state("none"));
        assertEquals("0", inspect("web", "{{.RestartCount}}"));
        assertEquals(1, enginePids().size(), "one engine: " + enginePids());
        assertEquals(inspect("web", "{{.Config.Hostname}}") + "\n", hostnameServedOn(port));
        assertNothingStale();
    }

    /**
     * A run directory on disk (as a {@code --root} instance's is) keeps its files across a reboot: dead pid files,
     * sockets and namespace files that are no longer mounts. The boot must not trip over them: names resolve once
     * (aardvark-dns's name files hold each container once), the port answers.
     */
    @Test
    void aRebootKeepingTheRunDirectoryOnDiskLeavesTheSameOutcome() throws IOException {
        holdfast = HoldfastDaemon.start();
        int port = Loopback.freePort();
        docker("network", "create", "app").assertOk();
        sleeper("none");
        docker("run", "-d", "--name", "web", "--restart", "always", "-p", "127.0.0.1:" + port + ":80", "busybox",
                "httpd", "-f", "-p", "80", "-h", "/etc").assertOk();
        sleeper("a1", "--restart", "always", "--network", "app");
        sleeper("a2", "--restart", "always", "--network", "app", "--network-alias", "db");

        holdfast.holdfast("simulate-reboot", "--keep-run").assertOk();

        assertRunningExactly(Set.of("web", "a1", "a2"));
        assertEquals("exited 255", state("none"));
        assertEquals(inspect("web", "{{.Config.Hostname}}") + "\n", hostnameServedOn(port));
        assertTrue(docker("exec", "a1", "ping", "-c1", "-W2", "db").ok(), "a1 finds a2 by its alias on app");
        Path names = holdfast.runDir().resolve("netavark/aardvark-dns/app");
        List<String> entries = Files.readAllLines(names).stream().skip(1).toList();
        assertEquals(2, entries.size(), "aardvark-dns knows a1 and a2 once each: " + entries);
        assertNothingStale();
    }

    // --- helpers -----------------------------------------------------------------------------------------------

    private void sleeper(String name, String... options) {
        List<String> args = new ArrayList<>(List.of("run", "-d", "--name", name));
        args.addAll(List.of(options));
        args.addAll(List.of("busybox", "sleep", "3600"));
        docker(args.toArray(String[]::new)).assertOk();
    }

    private void assertRunningExactly(Set<String> names) {
        Await.until(WAIT, () -> running().equals(new TreeSet<>(names)),
                "running exactly " + new TreeSet<>(names) + " (now " + running() + ")");
    }

    private Set<String> running() {
        return new TreeSet<>(docker("ps", "--format", "{{.Names}}").assertOk().stdout().lines()
                .map(String::trim).filter(s -> !s.isEmpty()).toList());
    }

    /**
     * Nothing of the boot before: the network namespace files are exactly the running containers', no iptables rule
     * of this instance's subnets names an address no running container holds, no rehearsal's scratch root is left, and
     * {@code holdfast check} finds every record matching reality.
     */
    private void assertNothingStale() throws IOException {
        Set<String> runningIds = new TreeSet<>(docker("ps", "-q", "--no-trunc").assertOk().stdout().lines()
                .map(String::trim).filter(s -> !s.isEmpty()).toList());
        assertEquals(runningIds, new TreeSet<>(NetworkLeftovers.netnsFiles(holdfast)), "netns files");
        List<String> addresses = new ArrayList<>();
        for (String id : runningIds) {
            addresses.addAll(List.of(inspect(id, "{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}")
                    .trim().split(" +")));
        }
        List<String> staleDnat = NetworkLeftovers.iptablesRules(List.of("--to-destination")).stream()
                .filter(rule -> NetworkLeftovers.networkConfig(holdfast).values().stream().anyMatch(
                        v -> v.contains("/") && rule.contains(v.substring(0, v.lastIndexOf('.') + 1))))
                .filter(rule -> addresses.stream().noneMatch(a -> rule.contains("--to-destination " + a + ":")))
                .toList();
        assertEquals(List.of(), staleDnat, "DNAT rules to addresses no running container holds");
        try (Stream<Path> left = Files.list(holdfast.runDir())) {
            assertEquals(List.of(), left.map(p -> p.getFileName().toString())
                    .filter(n -> n.startsWith("engine-rehearsal-")).toList(), "a rehearsal's scratch root left");
        }
        DockerResult check = holdfast.holdfast("check");
        assertEquals(0, check.exitCode(), "holdfast check after the reboot:\n" + check.stdout() + check.stderr());
    }

    /** What httpd serves on the published port, once it listens (a container just started may not have bound yet). */
    private static String hostnameServedOn(int port) {
        return Await.value(WAIT, () -> {
            try {
                return Loopback.get(port, "/hostname", Duration.ofSeconds(5)).body();
            } catch (IOException notYet) {
                return null;
            }
        }, Objects::nonNull, "127.0.0.1:" + port + " answering");
    }

    private String state(String name) {
        return inspect(name, "{{.State.Status}} {{.State.ExitCode}}");
    }

    private String inspect(String name, String format) {
        return docker("inspect", "-f", format, name).assertOk().out();
    }

    private DockerResult docker(String... args) {
        return holdfast.docker(args);
    }

    /** The engines of this instance: processes whose command line names its config and the engine jar. */
    private List<Long> enginePids() {
        String config = holdfast.config().toString();
        return ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().map(c -> c.contains("holdfast-engine") && c.contains(config)
                        && !c.contains("holdfast-holder")).orElse(false))
                .map(ProcessHandle::pid).toList();
    }
}
