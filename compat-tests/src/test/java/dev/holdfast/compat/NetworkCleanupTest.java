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
