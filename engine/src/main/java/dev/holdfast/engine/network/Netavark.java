package dev.holdfast.engine.network;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.holdfast.engine.errdefs.DomainException;
import dev.holdfast.engine.host.HostCommand;
import dev.holdfast.engine.store.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * podman's network backend: {@code netavark setup|teardown NETNS} makes (or removes) the bridge, the veth into the
 * namespace, the firewall rules in netavark's own chains (NAT, published ports) and keeps aardvark-dns answering the
 * names of each DNS-enabled network on its gateway. The engine only calls it at start, stop, connect and
 * disconnect: packets and names never pass through holdfast.
 */
public final class Netavark {
    private final Path binary;
    private final Path aardvark;
    private final Path configDir;
    private final ObjectMapper mapper;

    /** @param configDir netavark's and aardvark-dns's state: the instance's own, so instances never share it */
    public Netavark(Path binary, Path aardvark, Path configDir, ObjectMapper mapper) {
        this.binary = binary;
        this.aardvark = aardvark;
        this.configDir = configDir;
        this.mapper = mapper;
    }

    /**
     * One network of one container, as netavark is told about it.
     *
     * @param containerDns where aardvark-dns forwards this container's other queries ({@code --dns}); empty: the
     *     network's
     * @param networkDns where it forwards the network's ({@code [network] dns}); empty: the host's resolv.conf
     */
    record Link(Network network, Endpoint endpoint, List<String> dnsNames, String staticMac, List<String> containerDns,
            List<String> networkDns) {}

    /** Sets up one network in the namespace; returns the MAC address netavark gave the interface. */
    String setup(Path namespace, String containerId, String containerName, Link link, List<PortMapping> ports) {
        String what = "setting up network " + link.network().name() + " for container " + containerId;
        HostCommand.Result result = call("setup", namespace, options(containerId, containerName, link, ports), what);
        try {
            JsonNode answer = mapper.readTree(result.stdout());
            return answer.path(link.network().name()).path("interfaces").path(link.endpoint().interfaceName())
                    .path("mac_address").asText("");
        } catch (IOException e) {
            throw DomainException.system(what + ": netavark answered no JSON: " + result.stdout(), e);
        }
    }

    /** Removes one network from the namespace (and the bridge with its rules when it was its last container). */
    void teardown(Path namespace, String containerId, String containerName, Link link, List<PortMapping> ports) {
        call("teardown", namespace, options(containerId, containerName, link, ports),
                "tearing down network " + link.network().name() + " of container " + containerId);
    }

    /**
     * Engine boot: an aardvark-dns pid file naming a process that is not this instance's aardvark-dns is deleted. A
     * run directory on disk keeps it across a host reboot, and netavark would SIGHUP whatever process has that pid
     * now instead of starting aardvark-dns.
     */
    void forgetStaleAardvark() {
        Path pidFile = configDir.resolve("aardvark-dns").resolve("aardvark.pid");
        try {
            if (Files.exists(pidFile) && !isOurAardvark(Files.readString(pidFile).strip())) {
                Files.deleteIfExists(pidFile);
            }
        } catch (IOException e) {
            throw DomainException.system("checking aardvark-dns's pid file " + pidFile + ": " + e.getMessage(), e);
        }
    }

    /**
     * Engine boot: drops from aardvark-dns's name files (one per network: the gateway line, then one line per
     * container, its id first) the containers whose namespace is gone. A teardown is what removes them, and a
     * namespace a host reboot took cannot be torn down; with the run directory on disk the files outlive the reboot.
     */
    void forgetNamesOfDeadContainers(Predicate<String> live) {
        Path dir = configDir.resolve("aardvark-dns");
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.filter(f -> !f.getFileName().toString().startsWith("aardvark")).toList()) {
                List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
                List<String> kept = new ArrayList<>();
                for (int i = 0; i < lines.size(); i++) {
                    if (i == 0 || live.test(lines.get(i).split(" ", 2)[0])) {
                        kept.add(lines.get(i));
                    }
                }
                if (kept.size() < lines.size()) {
                    AtomicFiles.write(file, (String.join("\n", kept) + "\n").getBytes(StandardCharsets.UTF_8));
                }
            }
        } catch (IOException e) {
            throw DomainException.system("dropping dead containers from aardvark-dns's name files in " + dir + ": "
                    + e.getMessage(), e);
        }
    }

    private boolean isOurAardvark(String pid) throws IOException {
        if (!pid.matches("\\d+")) {
            return false;
        }
        String command;
        try {
            command = new String(Files.readAllBytes(Path.of("/proc", pid, "cmdline")), StandardCharsets.ISO_8859_1);
        } catch (NoSuchFileException gone) {
            return false;
        }
        return command.contains(aardvark.getFileName().toString()) && command.contains(configDir.toString());
    }

    private HostCommand.Result call(String verb, Path namespace, byte[] options, String what) {
        try {
            // netavark makes aardvark-dns's directory inside it, but not the directory itself.
            Files.createDirectories(configDir);
        } catch (IOException e) {
            throw DomainException.system(what + ": creating " + configDir + ": " + e.getMessage(), e);
        }
        List<String> command = List.of(binary.toString(), "--config", configDir.toString(), "--rootless", "false",
                "--aardvark-binary", aardvark.toString(), verb, namespace.toString());
        HostCommand.Result result;
        try (HostLock held = HostLock.acquire(what)) {
            result = HostCommand.run(command, options, what);
        }
        if (!result.ok()) {
            throw DomainException.system(what + ": netavark " + verb + " failed: " + errorText(result), null);
        }
        return result;
    }

    /** netavark reports errors as {@code {"error": "..."}} on stdout; the syslog complaint on stderr is noise. */
    private String errorText(HostCommand.Result result) {
        try {
            JsonNode error = mapper.readTree(result.stdout()).path("error");
            if (error.isTextual()) {
                return error.asText();
            }
        } catch (IOException e) {
            // Not JSON: fall through to the raw text.
        }
        String stderr = result.stderr().lines().filter(l -> !l.contains("syslog")).reduce("", (a, b) -> a + b + " ");
        return (result.stdout().strip() + " " + stderr.strip()).strip();
    }

    private byte[] options(String containerId, String containerName, Link link, List<PortMapping> ports) {
        Network n = link.network();
        Map<String, Object> perNetwork = new LinkedHashMap<>();
        perNetwork.put("interface_name", link.endpoint().interfaceName());
        List<String> staticIps = new ArrayList<>(List.of(link.endpoint().ipAddress()));
        if (!link.endpoint().ipv6Address().isEmpty()) {
            staticIps.add(link.endpoint().ipv6Address());
        }
        perNetwork.put("static_ips", staticIps);
        perNetwork.put("aliases", link.dnsNames());
        if (link.staticMac() != null && !link.staticMac().isEmpty()) {
            perNetwork.put("static_mac", link.staticMac());
        }
        Map<String, Object> subnet = new LinkedHashMap<>();
        subnet.put("subnet", n.subnet());
        subnet.put("gateway", n.gateway());
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("name", n.name());
        info.put("id", n.id());
        info.put("driver", "bridge");
        info.put("network_interface", n.bridge());
        List<Map<String, Object>> subnets = new ArrayList<>(List.of(subnet));
        if (n.ipv6Enabled()) {
            subnets.add(Map.of("subnet", n.ipv6().subnet(), "gateway", n.ipv6().gateway()));
        }
        info.put("subnets", subnets);
        info.put("ipv6_enabled", n.ipv6Enabled());
        info.put("internal", n.internal());
        info.put("dns_enabled", n.dnsEnabled());
        if (n.dnsEnabled() && !link.networkDns().isEmpty()) {
            info.put("network_dns_servers", link.networkDns());
        }
        String mtu = n.options().get(NetworkOptions.MTU);
        if (mtu != null) {
            info.put("options", Map.of("mtu", mtu));
        }
        List<Map<String, Object>> mappings = new ArrayList<>();
        for (PortMapping p : ports) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("host_ip", p.hostIp().equals("0.0.0.0") ? "" : p.hostIp());
            m.put("container_port", p.containerPort());
            m.put("host_port", p.hostPort());
            m.put("range", 1);
            m.put("protocol", p.protocol());
            mappings.add(m);
        }
        Map<String, Object> options = new LinkedHashMap<>();
        options.put("container_id", containerId);
        options.put("container_name", containerName);
        if (n.dnsEnabled() && !link.containerDns().isEmpty()) {
            options.put("dns_servers", link.containerDns());
        }
        options.put("networks", Map.of(n.name(), perNetwork));
        options.put("network_info", Map.of(n.name(), info));
        options.put("port_mappings", mappings);
        try {
            return mapper.writeValueAsBytes(options);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
