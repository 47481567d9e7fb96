package dev.holdfast.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Container networking with the docker CLI: user-defined bridge networks with aardvark-dns names (container name,
 * alias, short id) that the default bridge does not have, connect/disconnect, {@code none}, {@code host},
 * {@code container:<id>}, inspect, static addresses and IPAM options. Every packet stays inside the networks these
 * tests create; no name outside them is looked up.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NetworkingTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AtomicInteger NAMES = new AtomicInteger();
    private static final Pattern PING_ADDRESS = Pattern.compile("^PING \\S+ \\(([0-9.]+)\\)", Pattern.MULTILINE);

    @AutoClose
    private final HoldfastDaemon holdfast = HoldfastDaemon.start();

    @Test
    void userNetworkResolvesContainerNamesAliasesAndShortIds() {
        String net = name("net");
        String a = name("a");
        String b = name("b");
        docker("network", "create", net).assertOk();
        sleeper(a, "--network", net);
        String bId = sleeper(b, "--network", net, "--network-alias", "bee");
        String bAddress = address(b, net);

        for (String target : List.of(b, "bee", bId.substring(0, 12))) {
            DockerResult ping = docker("exec", a, "ping", "-c1", "-W2", target).assertOk();
            assertEquals(bAddress, pingedAddress(ping), () -> target + " resolves to " + b + "'s address: " + ping);
        }
        // And the other way round: b finds a by name.
        assertEquals(address(a, net), pingedAddress(docker("exec", b, "ping", "-c1", "-W2", a).assertOk()));

        // The resolver is aardvark-dns on the network's gateway.
        String gateway = gateway(net);
        assertTrue(docker("exec", a, "cat", "/etc/resolv.conf").assertOk().out().lines()
                .anyMatch(l -> l.equals("nameserver " + gateway)), "a's resolv.conf names " + gateway);
        docker("rm", "-f", a, b).assertOk();
        docker("network", "rm", net).assertOk();
    }

    @Test
    void namesDoNotResolveOnTheDefaultBridge() {
        String c = name("c");
        String d = name("d");
        sleeper(c);
        sleeper(d);
        String bridgeGateway = gateway("bridge");
        assertFalse(docker("exec", d, "cat", "/etc/hosts").assertOk().out().contains(c), "no /etc/hosts entry for " + c);
        assertFalse(docker("exec", d, "cat", "/etc/resolv.conf").assertOk().out().contains(bridgeGateway),
                "the default bridge has no DNS server on its gateway");
        // Asked directly, the default bridge's gateway has no name server answering c.
        DockerResult lookup = docker("exec", d, "nslookup", c, bridgeGateway);
        assertNotEquals(0, lookup.exitCode(), lookup::toString);
        assertFalse(lookup.stdout().contains(address(c, "bridge")), lookup::toString);
        // ... while the same question on a user network is answered (so the check above can fail).
        String net = name("net");
        String e = name("e");
        String f = name("f");
        docker("network", "create", net).assertOk();
        sleeper(e, "--network", net);
        sleeper(f, "--network", net);
        DockerResult answered = docker("exec", f, "nslookup", e, gateway(net)).assertOk();
        assertTrue(answered.stdout().contains(address(e, net)), answered::toString);
        docker("rm", "-f", c, d, e, f).assertOk();
        docker("network", "rm", net).assertOk();
    }

    @Test
    void connectMakesAContainerReachableByNameAndDisconnectUndoesIt() {
        String net = name("net");
        String a = name("a");
        String c = name("c");
        docker("network", "create", net).assertOk();
        sleeper(a, "--network", net);
        sleeper(c);
        assertEquals("[bridge]", networksOf(c));

        docker("network", "connect", net, c).assertOk();
        assertEquals("[bridge " + net + "]", networksOf(c));
        String cAddress = address(c, net);
        assertTrue(docker("exec", c, "ip", "-o", "-4", "addr").assertOk().out().contains(" " + cAddress + "/"),
                "c has an interface with its address on " + net);
        assertEquals(cAddress, pingedAddress(docker("exec", a, "ping", "-c1", "-W2", c).assertOk()));
        assertTrue(networkContainers(net).containsKey(c), "network inspect lists " + c);

        docker("network", "disconnect", net, c).assertOk();
        assertEquals("[bridge]", networksOf(c));
        assertFalse(docker("exec", c, "ip", "-o", "-4", "addr").assertOk().out().contains(" " + cAddress + "/"),
                "c's interface on " + net + " is gone");
        DockerResult byAddress = docker("exec", a, "ping", "-c1", "-W1", cAddress);
        assertNotEquals(0, byAddress.exitCode(), byAddress::toString);
        DockerResult byName = docker("exec", a, "ping", "-c1", "-W1", c);
        assertNotEquals(0, byName.exitCode(), byName::toString);
        assertFalse(networkContainers(net).containsKey(c), "network inspect no longer lists " + c);
        // c still works on the default bridge.
        assertEquals("running", docker("inspect", "-f", "{{.State.Status}}", c).assertOk().out());
        docker("rm", "-f", a, c).assertOk();
        docker("network", "rm", net).assertOk();
    }

    @Test
    void networkNoneHasOnlyLoopback() {
        List<String> links = docker("run", "--rm", "--network", "none", "busybox", "ip", "-o", "link").assertOk().out()
                .lines().toList();
        assertEquals(List.of("lo"), linkNames(links), links::toString);
        assertEquals("", docker("run", "--rm", "--network", "none", "busybox", "ip", "-o", "-4", "route").assertOk().out(),
                "no routes");
    }

    @Test
    void networkHostSeesTheHostsInterfaces() {
        Set<String> before = hostLinks();
        List<String> inside = linkNames(docker("run", "--rm", "--network", "host", "busybox", "ip", "-o", "link")
                .assertOk().out().lines().toList());
        Set<String> after = hostLinks();
        // Other tests (and other instances) add and remove veths meanwhile: what existed throughout must be seen,
        // and nothing that never existed on the host.
        Set<String> throughout = new HashSet<>(before);
        throughout.retainAll(after);
        Set<String> ever = new HashSet<>(before);
        ever.addAll(after);
        assertTrue(inside.containsAll(throughout), () -> "inside " + inside + ", on the host " + throughout);
        assertTrue(ever.containsAll(inside), () -> "inside " + inside + ", on the host " + ever);
        assertTrue(inside.size() > 1, inside::toString);
    }

    @Test
    void networkContainerSharesTheOtherContainersNamespace() {
        String net = name("net");
        String a = name("a");
        docker("network", "create", net).assertOk();
        sleeper(a, "--network", net);
        String eth0 = docker("exec", a, "ip", "-o", "-4", "addr", "show", "eth0").assertOk().out();
        assertTrue(eth0.contains(" " + address(a, net) + "/"), eth0);
        String aId = docker("inspect", "-f", "{{.Id}}", a).assertOk().out();
        for (String ref : List.of(a, aId)) {
            assertEquals(eth0, docker("run", "--rm", "--network", "container:" + ref, "busybox", "ip", "-o", "-4",
                    "addr", "show", "eth0").assertOk().out());
            assertEquals(docker("exec", a, "readlink", "/proc/self/ns/net").assertOk().out(),
                    docker("run", "--rm", "--network", "container:" + ref, "busybox", "readlink", "/proc/self/ns/net")
                            .assertOk().out(), "the same network namespace");
        }
        docker("rm", "-f", a).assertOk();
        docker("network", "rm", net).assertOk();
    }

    @Test
    void networkInspectListsItsContainersAndRmIsRefusedWhileOneRuns() {
        String net = name("net");
        String a = name("a");
        String b = name("b");
        String netId = docker("network", "create", net).assertOk().out();
        String aId = sleeper(a, "--network", net);
        String bId = sleeper(b, "--network", net);
        JsonNode inspect = inspectNetwork(net);
        assertEquals(net, inspect.path("Name").asText());
        assertEquals(netId, inspect.path("Id").asText());
        assertEquals("bridge", inspect.path("Driver").asText());
        String prefix = "/" + inspect.path("IPAM").path("Config").path(0).path("Subnet").asText().split("/")[1];
        JsonNode containers = inspect.path("Containers");
        assertEquals(Set.of(aId, bId), fieldNames(containers));
        assertEquals(a, containers.path(aId).path("Name").asText());
        assertEquals(address(a, net) + prefix, containers.path(aId).path("IPv4Address").asText());
        assertEquals(b, containers.path(bId).path("Name").asText());
        assertEquals(address(b, net) + prefix, containers.path(bId).path("IPv4Address").asText());
        assertNotEquals(address(a, net), address(b, net));

        docker("rm", "-f", a).assertOk();
        DockerResult rm = docker("network", "rm", net);
        assertNotEquals(0, rm.exitCode(), rm::toString);
        assertTrue(rm.stderr().contains("has active endpoints"), rm::toString);
        assertTrue(docker("network", "ls", "--format", "{{.Name}}").assertOk().out().lines().anyMatch(net::equals));
        assertEquals(Set.of(bId), fieldNames(inspectNetwork(net).path("Containers")));

        docker("rm", "-f", b).assertOk();
        docker("network", "rm", net).assertOk();
        assertTrue(docker("network", "ls", "--format", "{{.Name}}").assertOk().out().lines().noneMatch(net::equals));
    }

    @Test
    void subnetGatewayIpRangeAndStaticAddressesAreHonoured() {
        // A /24 of this instance's own pool (config.toml [network] pool, a /16 no other instance uses), far from the
        // blocks the engine hands out by itself.
        String[] pool = networkConfig().get("pool").split("[./]");
        String base = pool[0] + "." + pool[1] + ".250.";
        String subnet = base + "0/24";
        String gateway = base + "254";
        String range = base + "128/25";
        String net = name("net");
        docker("network", "create", "--subnet", subnet, "--gateway", gateway, "--ip-range", range, net).assertOk();
        JsonNode ipam = inspectNetwork(net).path("IPAM").path("Config");
        assertEquals(1, ipam.size(), ipam::toString);
        assertEquals(subnet, ipam.path(0).path("Subnet").asText(), ipam::toString);
        assertEquals(gateway, ipam.path(0).path("Gateway").asText(), ipam::toString);
        assertEquals(range, ipam.path(0).path("IPRange").asText(), ipam::toString);

        String dynamic = name("dyn");
        sleeper(dynamic, "--network", net);
        String dynamicAddress = address(dynamic, net);
        assertTrue(dynamicAddress.startsWith(base), dynamicAddress);
        int last = Integer.parseInt(dynamicAddress.substring(base.length()));
        assertTrue(last >= 128 && last < 254, () -> dynamicAddress + " is in " + range);
        assertTrue(docker("exec", dynamic, "ip", "-o", "-4", "addr", "show", "eth0").assertOk().out()
                .contains(" " + dynamicAddress + "/24 "), "the container has its address");
        assertTrue(docker("exec", dynamic, "ip", "route").assertOk().out().contains("default via " + gateway + " "),
                "the default route goes through " + gateway);
        assertEquals(gateway, docker("inspect", "-f", "{{(index .NetworkSettings.Networks \"" + net + "\").Gateway}}",
                dynamic).assertOk().out());

        String fixed = name("fixed");
        String fixedAddress = base + "200";
        sleeper(fixed, "--network", net, "--ip", fixedAddress);
        assertEquals(fixedAddress, address(fixed, net));
        assertTrue(docker("exec", fixed, "ip", "-o", "-4", "addr", "show", "eth0").assertOk().out()
                .contains(" " + fixedAddress + "/24 "), "--ip is the container's address");
        assertEquals(fixedAddress, pingedAddress(docker("exec", dynamic, "ping", "-c1", "-W2", fixed).assertOk()));

        DockerResult taken = docker("run", "-d", "--name", name("taken"), "--network", net, "--ip", fixedAddress,
                "busybox", "sleep", "3600");
        assertNotEquals(0, taken.exitCode(), taken::toString);
        docker("rm", "-f", dynamic, fixed).assertOk();
        docker("container", "prune", "-f").assertOk();
        docker("network", "rm", net).assertOk();
    }

    /**
     * Containers started at the same moment on a network none of them has set up yet (what docker-compose does with
     * a project's services): each start sets up the network, none may trip over another.
     */
    @Test
    void containersStartedTogetherOnAFreshNetworkAllStart() {
        for (int round = 0; round < 3; round++) {
            String net = name("together");
            docker("network", "create", net).assertOk();
            List<String> names = List.of(name("t"), name("t"), name("t"));
            List<BackgroundDocker> runs = names.stream().map(n -> BackgroundDocker.start(holdfast, "run", "-d",
                    "--name", n, "--network", net, "busybox", "sleep", "3600")).toList();
            try {
                for (BackgroundDocker run : runs) {
                    run.awaitExit(Duration.ofSeconds(60)).assertOk();
                }
            } finally {
                runs.forEach(BackgroundDocker::close);
            }
            for (String n : names) {
                assertEquals("running", docker("inspect", "-f", "{{.State.Status}}", n).assertOk().out());
            }
            assertEquals(address(names.get(1), net),
                    pingedAddress(docker("exec", names.get(0), "ping", "-c1", "-W2", names.get(1)).assertOk()));
            List<String> rm = new java.util.ArrayList<>(List.of("rm", "-f"));
            rm.addAll(names);
            docker(rm.toArray(String[]::new)).assertOk();
            docker("network", "rm", net).assertOk();
        }
    }

    /** Docker's network events: create, connect (at start and by hand), disconnect (by hand and at stop), destroy. */
    @Test
    void networkEventsFollowTheNetworksAndTheirContainers() {
        String net = name("evnet");
        String c = name("ev");
        String since = String.valueOf(java.time.Instant.now().getEpochSecond() - 1);
        docker("network", "create", net).assertOk();
        String id = sleeper(c);
        docker("network", "connect", net, c).assertOk();
        docker("network", "disconnect", net, c).assertOk();
        docker("network", "rm", net).assertOk();
        docker("stop", "-t", "0", c).assertOk();
        String until = String.valueOf(java.time.Instant.now().getEpochSecond() + 1);
        List<String> events = docker("events", "--since", since, "--until", until, "--filter", "type=network",
                "--format", "{{.Action}} {{.Actor.Attributes.name}} {{.Actor.Attributes.container}}")
                .assertOk().out().lines().filter(l -> l.contains(net) || l.contains(id)).toList();
        assertEquals(List.of(
                "create " + net + " <no value>",
                "connect bridge " + id,
                "connect " + net + " " + id,
                "disconnect " + net + " " + id,
                "destroy " + net + " <no value>",
                "disconnect bridge " + id), events);
    }

    /**
     * Legacy links on the default bridge: the linking container gets the upstream's address under the alias in
     * /etc/hosts and Docker's ALIAS_* variables; {@code docker rm --link} removes the link, not a container. On a user
     * network a link is a DNS alias of its target.
     */
    @Test
    void legacyLinksGiveHostsEntriesAndVariablesOnTheDefaultBridgeAndAliasesOnUserNetworks() {
        String upstream = name("upstream");
        docker("run", "-d", "--name", upstream, "-e", "GREETING=hello", "--expose", "80", "busybox", "sleep", "3600")
                .assertOk();
        String ip = docker("inspect", "-f", "{{.NetworkSettings.IPAddress}}", upstream).assertOk().out();
        String linker = name("linker");
        String out = docker("run", "--name", linker, "--link", upstream + ":db", "busybox", "sh", "-c",
                "env | grep ^DB_ | sort; grep -w db /etc/hosts").assertOk().out();
        assertTrue(out.contains("DB_NAME=/" + linker + "/db"), out);
        assertTrue(out.contains("DB_ENV_GREETING=hello"), out);
        assertTrue(out.contains("DB_PORT_80_TCP=tcp://" + ip + ":80"), out);
        assertTrue(out.lines().anyMatch(l -> l.startsWith(ip + "\tdb ")), out);
        assertEquals("[/" + upstream + ":/" + linker + "/db]",
                docker("inspect", "-f", "{{.HostConfig.Links}}", linker).assertOk().out());
        docker("rm", "--link", linker + "/db").assertOk();
        assertEquals("[]", docker("inspect", "-f", "{{.HostConfig.Links}}", linker).assertOk().out());
        assertEquals("running", docker("inspect", "-f", "{{.State.Status}}", upstream).assertOk().out());

        String net = name("linknet");
        docker("network", "create", net).assertOk();
        String waiting = name("waiting");
        String later = name("later");
        sleeper(waiting, "--network", net, "--link", later + ":bee");
        sleeper(later, "--network", net);
        assertEquals(address(later, net), pingedAddress(docker("exec", waiting, "ping", "-c1", "-W2", "bee").assertOk()));
    }

    @Test
    void anUnsupportedDriverIsRefused() {
        String net = name("overlay");
        DockerResult create = docker("network", "create", "-d", "overlay", net);
        assertNotEquals(0, create.exitCode(), create::toString);
        assertTrue(create.stderr().contains("is not supported by holdfast yet"), create::toString);
        assertTrue(docker("network", "ls", "--format", "{{.Name}}").assertOk().out().lines().noneMatch(net::equals));
    }

    // --- helpers ---------------------------------------------------------------------------------------------------

    private DockerResult docker(String... args) {
        return holdfast.docker(args);
    }

    private static String name(String prefix) {
        return "nw-" + prefix + "-" + NAMES.incrementAndGet();
    }

    /** {@code docker run -d --name NAME OPTIONS… busybox sleep 3600}; returns the id. */
    private String sleeper(String name, String... options) {
        List<String> args = new java.util.ArrayList<>(List.of("run", "-d", "--name", name));
        args.addAll(List.of(options));
        args.addAll(List.of("busybox", "sleep", "3600"));
        return docker(args.toArray(String[]::new)).assertOk().out();
    }

    /** The container's IPv4 address on {@code network}, from docker inspect. */
    private String address(String container, String network) {
        String address = docker("inspect", "-f", "{{(index .NetworkSettings.Networks \"" + network + "\").IPAddress}}",
                container).assertOk().out();
        assertTrue(address.matches("[0-9]+\\.[0-9]+\\.[0-9]+\\.[0-9]+"), () -> container + " on " + network + ": " + address);
        return address;
    }

    private String gateway(String network) {
        return docker("network", "inspect", "-f", "{{(index .IPAM.Config 0).Gateway}}", network).assertOk().out();
    }

    /** The names of the container's networks, sorted: {@code [bridge net-1]}. */
    private String networksOf(String container) {
        return docker("inspect", "-f", "{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{end}}", container)
                .assertOk().out().lines().flatMap(l -> Stream.of(l.trim().split(" "))).filter(s -> !s.isEmpty())
                .sorted().collect(Collectors.joining(" ", "[", "]"));
    }

    private JsonNode inspectNetwork(String network) {
        try {
            JsonNode all = JSON.readTree(docker("network", "inspect", network).assertOk().stdout());
            assertEquals(1, all.size(), all::toString);
            return all.get(0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code Containers} of docker network inspect, by container name. */
    private Map<String, JsonNode> networkContainers(String network) {
        Map<String, JsonNode> byName = new TreeMap<>();
        inspectNetwork(network).path("Containers").forEach(c -> byName.put(c.path("Name").asText(), c));
        return byName;
    }

    private static Set<String> fieldNames(JsonNode node) {
        Set<String> names = new HashSet<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    /** The address in ping's first line: {@code PING b (10.1.2.3): 56 data bytes}. */
    private static String pingedAddress(DockerResult ping) {
        Matcher m = PING_ADDRESS.matcher(ping.stdout());
        assertTrue(m.find(), ping::toString);
        return m.group(1);
    }

    /** Interface names from {@code ip -o link} lines ({@code 2: eth0@if7: <...>}). */
    private static List<String> linkNames(List<String> lines) {
        return lines.stream().map(l -> l.split(": ", 3)[1].split("@")[0]).toList();
    }

    private static Set<String> hostLinks() {
        try (Stream<Path> links = Files.list(Path.of("/sys/class/net"))) {
            return links.map(p -> p.getFileName().toString()).collect(Collectors.toSet());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** config.toml's [network] section: bridge, subnet, pool, pool_size. */
    private Map<String, String> networkConfig() {
        return NetworkLeftovers.networkConfig(holdfast);
    }
}
