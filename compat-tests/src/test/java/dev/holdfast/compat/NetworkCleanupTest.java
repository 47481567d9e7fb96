package dev.holdfast.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/**
 * Removing every container and pruning the networks leaves nothing on the host: no namespace file under
 * {@code <run>/netns}, no bridge, no iptables rule of the instance's subnets, ports or containers; also when the
 * supervisor was killed with SIGKILL while the containers ran. Each test has an instance of its own, since it looks at
 * everything the instance made.
 */
class NetworkCleanupTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @AutoClose
    private HoldfastDaemon holdfast;

    @Test
    void removingEveryContainerAndPruningNetworksLeavesNothingBehind() throws IOException {
        holdfast = HoldfastDaemon.start();
        Setup setup = runAFewNetworkedContainers();
        removeEverythingAndAssertNothingLeft(setup);
    }

    @Test
    void nothingIsLeftBehindAfterASupervisorKilledWhileContainersRan() throws IOException {
        holdfast = HoldfastDaemon.start();
        Setup setup = runAFewNetworkedContainers();

        holdfast.supervisor("kill");
        assertEquals("published\n", Loopback.getOrFail(setup.port(), "/index.html").body(),
                "the published port answers while the supervisor is down");
        holdfast.supervisor("start");
        for (String id : setup.ids()) {
            assertEquals("running", docker("inspect", "-f", "{{.State.Status}}", id).assertOk().out());
        }
        assertTrue(docker("exec", "client", "ping", "-c1", "-W2", "server").ok(), "names still resolve");

        removeEverythingAndAssertNothingLeft(setup);
    }

    /**
     * {@code docker rm -f} of several containers removes them in parallel (the CLI sends one request per container at
     * once), so the engine tears down several endpoints of one network at the same moment, the last of which removes
     * the bridge and its rules: every teardown must succeed and nothing may be left.
     */
    @Test
    void containersRemovedTogetherTearTheirNetworkDownCompletely() {
        holdfast = HoldfastDaemon.start();
        Set<String> subnets = new LinkedHashSet<>();
        List<String> ids = new ArrayList<>();
        for (int round = 0; round < 4; round++) {
            String net = "together" + round;
            docker("network", "create", net).assertOk();
            subnets.add(docker("network", "inspect", "-f", "{{(index .IPAM.Config 0).Subnet}}", net).assertOk().out());
            List<String> rm = new ArrayList<>(List.of("rm", "-f"));
            for (int i = 0; i < 4; i++) {
                String id = docker("run", "-d", "--network", net, "busybox", "sleep", "3600").assertOk().out();
                ids.add(id);
                rm.add(id);
            }
            docker(rm.toArray(String[]::new)).assertOk();
        }
        docker("network", "prune", "-f").assertOk();
        List<String> failedTeardowns = holdfast.engineLog().lines().filter(l -> l.contains("teardown failed")).toList();
        assertEquals(List.of(), failedTeardowns, "netavark teardowns that failed (engine.log)");
        NetworkLeftovers.assertNone(holdfast, subnets, ids);
    }

    /**
     * A container that dies while the engine is down keeps its namespace and rules until the engine boots: the
     * reconcile that records its exit tears its network down.
     */
    @Test
    void aContainerThatExitsWhileTheEngineIsDownIsTornDownWhenTheEngineBoots() {
        holdfast = HoldfastDaemon.start();
        int port = Loopback.freePort();
        String id = docker("run", "-d", "-p", "127.0.0.1:" + port + ":80", "busybox", "httpd", "-f", "-p", "80")
                .assertOk().out();
        String subnet = docker("network", "inspect", "-f", "{{(index .IPAM.Config 0).Subnet}}", "bridge").assertOk().out();
        String pid = docker("inspect", "-f", "{{.State.Pid}}", id).assertOk().out();
        assertFalse(NetworkLeftovers.iptablesRules(List.of(id)).isEmpty(), "a DNAT rule for the published port");

        holdfast.crashEngineForGood();
        NetworkLeftovers.host("kill", "-KILL", pid);
        Await.until(WAIT, () -> !Files.exists(Path.of("/proc", pid)), "the container's init is gone");
        assertTrue(NetworkLeftovers.netnsFiles(holdfast).contains(id), "nobody tore the namespace down yet");

        holdfast.engine("start").assertOk();
        assertEquals("exited 137", docker("inspect", "-f", "{{.State.Status}} {{.State.ExitCode}}", id).assertOk().out());
        assertTrue(Loopback.refuses(port), "127.0.0.1:" + port + " refuses connections");
        NetworkLeftovers.assertNone(holdfast, Set.of(subnet), List.of(id));
        assertEquals("", docker("port", id).assertOk().out(), "an exited container publishes nothing");
    }

    /**
     * Addresses and host ports are recorded before they are used, so a SIGKILL of the engine while containers start
     * hands nothing out twice: after the engine is back, every running container has an address and host ports of
     * its own, also those started after the kill.
     */
    @Test
    void anEngineKilledWhileContainersStartHandsNoAddressOrPortOutTwice() {
        holdfast = HoldfastDaemon.start();
        docker("network", "create", "crowd").assertOk();
        List<BackgroundDocker> starting = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            starting.add(BackgroundDocker.start(holdfast, "run", "-d", "--network", "crowd", "--expose", "80", "-P",
                    "busybox", "sleep", "3600"));
        }
        holdfast.engine("kill").assertOk();
        starting.forEach(b -> b.awaitExit(HoldfastDaemon.DOCKER_TIMEOUT));
        holdfast.engine("start").assertOk();
        for (int i = 0; i < 4; i++) {
            docker("run", "-d", "--network", "crowd", "--expose", "80", "-P", "busybox", "sleep", "3600").assertOk();
        }
        List<String> running = docker("ps", "-q", "--no-trunc").assertOk().out().lines().toList();
        assertTrue(running.size() >= 4, running::toString);
        List<String> addresses = new ArrayList<>();
        List<String> ports = new ArrayList<>();
        for (String id : running) {
            addresses.add(docker("inspect", "-f", "{{.NetworkSettings.Networks.crowd.IPAddress}}", id).assertOk().out());
            ports.add(docker("port", id, "80/tcp").assertOk().out());
        }
        assertEquals(addresses.size(), Set.copyOf(addresses).size(), () -> "addresses handed out twice: " + addresses);
        assertEquals(ports.size(), Set.copyOf(ports).size(), () -> "host ports handed out twice: " + ports);
        assertFalse(addresses.contains(""), () -> "a running container without an address: " + addresses);
        for (String id : running) {
            String ip = docker("inspect", "-f", "{{.NetworkSettings.Networks.crowd.IPAddress}}", id).assertOk().out();
            assertEquals(ip, docker("exec", id, "sh", "-c", "ip -o -4 addr show eth0 | awk '{print $4}' | cut -d/ -f1")
                    .assertOk().out(), "the address inside is the recorded one");
        }
    }

    // --- helpers ---------------------------------------------------------------------------------------------------

    /** The containers' ids, the instance's subnets (default bridge and user networks) and the published port. */
    private record Setup(List<String> ids, Set<String> subnets, int port) {}

    /**
     * A published httpd on the default bridge, two containers on a user network (one with an alias), one on a second
     * network with a subnet of its own and also connected to the first, one with {@code --network none} and one
     * sharing another's namespace; checks that the namespaces, bridges and rules exist, so that their absence later
     * means something.
     */
    private Setup runAFewNetworkedContainers() throws IOException {
        Map<String, String> config = NetworkLeftovers.networkConfig(holdfast);
        String[] pool = config.get("pool").split("[./]");
        String ownSubnet = pool[0] + "." + pool[1] + ".251.0/24";
        docker("network", "create", "frontend").assertOk();
        docker("network", "create", "--subnet", ownSubnet, "backend").assertOk();

        Path www = Files.createDirectories(holdfast.root().resolve("www"));
        Files.writeString(www.resolve("index.html"), "published\n");
        int port = Loopback.freePort();
        List<String> ids = new ArrayList<>();
        ids.add(docker("run", "-d", "--name", "web", "-p", "127.0.0.1:" + port + ":80", "-v", www + ":/www",
                "busybox", "httpd", "-f", "-p", "80", "-h", "/www").assertOk().out());
        ids.add(docker("run", "-d", "--name", "server", "--network", "frontend", "--network-alias", "srv", "busybox",
                "sleep", "3600").assertOk().out());
        ids.add(docker("run", "-d", "--name", "client", "--network", "frontend", "busybox", "sleep", "3600")
                .assertOk().out());
        String backend = docker("run", "-d", "--name", "backend-one", "--network", "backend", "busybox", "sleep",
                "3600").assertOk().out();
        ids.add(backend);
        docker("network", "connect", "frontend", "backend-one").assertOk();
        ids.add(docker("run", "-d", "--name", "isolated", "--network", "none", "busybox", "sleep", "3600")
                .assertOk().out());
        ids.add(docker("run", "-d", "--name", "sidecar", "--network", "container:web", "busybox", "sleep", "3600")
                .assertOk().out());

        Await.value(WAIT, () -> Loopback.getOrFail(port, "/index.html"), r -> r.body().equals("published\n"),
                "the published port answers");
        docker("exec", "client", "ping", "-c1", "-W2", "srv").assertOk();
        docker("exec", "client", "ping", "-c1", "-W2", "backend-one").assertOk();

        Set<String> subnets = new LinkedHashSet<>();
        subnets.add(config.get("subnet"));
        for (String network : List.of("bridge", "frontend", "backend")) {
            subnets.add(docker("network", "inspect", "-f", "{{(index .IPAM.Config 0).Subnet}}", network).assertOk().out());
        }

        // What must go away is there now.
        List<String> netns = NetworkLeftovers.netnsFiles(holdfast);
        for (String id : List.of(ids.get(0), ids.get(1), ids.get(2), backend)) {
            assertTrue(netns.contains(id), () -> "a netns file for " + id + ": " + netns);
        }
        String bridge = config.get("bridge");
        List<String> links = NetworkLeftovers.bridgeLinks(holdfast);
        assertTrue(links.size() >= 3, () -> "bridges named after " + bridge + " for bridge, frontend, backend: " + links);
        for (String subnet : subnets) {
            assertFalse(NetworkLeftovers.iptablesRules(List.of(subnet)).isEmpty(), "iptables rules for " + subnet);
        }
        assertFalse(NetworkLeftovers.iptablesRules(List.of(ids.get(0))).isEmpty(), "a DNAT rule for web's port");
        return new Setup(List.copyOf(ids), Set.copyOf(subnets), port);
    }

    private void removeEverythingAndAssertNothingLeft(Setup setup) {
        List<String> all = docker("ps", "-aq", "--no-trunc").assertOk().out().lines().toList();
        assertTrue(all.containsAll(setup.ids()), all::toString);
        List<String> rm = new ArrayList<>(List.of("rm", "-f"));
        rm.addAll(all);
        docker(rm.toArray(String[]::new)).assertOk();
        docker("network", "prune", "-f").assertOk();
        assertEquals("", docker("ps", "-aq").assertOk().out());
        assertEquals("bridge host none", String.join(" ",
                docker("network", "ls", "--format", "{{.Name}}").assertOk().out().lines().sorted().toList()));
        assertTrue(Loopback.refuses(setup.port()), "127.0.0.1:" + setup.port() + " refuses connections");
        NetworkLeftovers.assertNone(holdfast, setup.subnets(), setup.ids());
    }

    private DockerResult docker(String... args) {
        return holdfast.docker(args);
    }
}
