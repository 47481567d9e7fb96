package dev.holdfast.engine.network;

import dev.holdfast.engine.container.ContainerConfig;
import dev.holdfast.engine.container.HostConfig;
import dev.holdfast.engine.container.LegacyLinks;
import dev.holdfast.engine.container.NetworkingConfig;
import dev.holdfast.engine.errdefs.DomainException;
import java.util.List;
import java.util.Map;

/**
 * What a container asks of a network, checked with Docker's rules before anything is recorded: the endpoint
 * settings of a create or connect request (aliases, addresses, MAC, links), and the options a shared namespace
 * (host, {@code container:<id>}) cannot take.
 */
final class EndpointRequests {
    private static final Subnet LINK_LOCAL = Subnet.parse("169.254.0.0/16");

    private EndpointRequests() {}

    static void refuseWithSharedNamespace(HostConfig host, ContainerConfig config, List<PortRequest> ports,
            Map<String, NetworkingConfig.EndpointConfig> endpoints, String modeName) {
        if (!ports.isEmpty() && !(host.publishAllPorts() && nullOrEmpty(host.portBindings()))) {
            throw DomainException.invalidParameter("conflicting options: port publishing and " + modeName);
        }
        if (config.macAddress() != null && !config.macAddress().isEmpty()) {
            throw DomainException.invalidParameter("conflicting options: mac-address and " + modeName);
        }
        if (modeName.startsWith("the container")) {
            if (!nullOrEmpty(host.dns()) || !nullOrEmpty(host.dnsSearch()) || !nullOrEmpty(host.dnsOptions())) {
                throw DomainException.invalidParameter("conflicting options: dns and " + modeName);
            }
            if (!nullOrEmpty(host.extraHosts())) {
                throw DomainException.invalidParameter("conflicting options: custom host-to-IP mapping and "
                        + modeName);
            }
            if (!endpoints.isEmpty()) {
                throw DomainException.invalidParameter("conflicting options: networks and " + modeName);
            }
        }
    }

    static String macOf(ContainerConfig config, NetworkingConfig.EndpointConfig endpoint) {
        if (endpoint != null && endpoint.macAddress() != null && !endpoint.macAddress().isEmpty()) {
            return endpoint.macAddress();
        }
        return config.macAddress() == null ? "" : config.macAddress();
    }

    static EndpointSettings settings(Network network, NetworkingConfig.EndpointConfig asked, String mac) {
        List<String> aliases = asked == null || asked.aliases() == null ? List.of() : List.copyOf(asked.aliases());
        String ip = asked == null || asked.ipamConfig() == null || asked.ipamConfig().ipv4Address() == null ? ""
                : asked.ipamConfig().ipv4Address();
        List<String> linkLocal = asked == null || asked.ipamConfig() == null
                || asked.ipamConfig().linkLocalIps() == null ? List.of() : asked.ipamConfig().linkLocalIps();
        List<String> links = asked == null || asked.links() == null ? List.of() : normalizedLinks(asked.links());
        String ip6 = asked == null || asked.ipamConfig() == null || asked.ipamConfig().ipv6Address() == null ? ""
                : asked.ipamConfig().ipv6Address();
        if (!ip6.isEmpty()) {
            if (!network.ipv6Enabled()) {
                throw DomainException.invalidParameter("invalid IPv6 address " + ip6 + ": network " + network.name()
                        + " has no IPv6 subnet");
            }
            if (!network.ipv6().parsedSubnet().contains(Ipv6Subnet.parseAddress(ip6))) {
                throw DomainException.invalidParameter("invalid address " + ip6 + ": it does not belong to any of "
                        + "this network's subnets (" + network.ipv6().subnet() + ")");
            }
        }
        for (String address : linkLocal) {
            if (!LINK_LOCAL.contains(Subnet.parseAddress(address))) {
                throw DomainException.invalidParameter("invalid link-local address " + address + ": not in "
                        + LINK_LOCAL);
            }
        }
        if (!links.isEmpty() && network.isDefaultBridge()) {
            throw DomainException.notImplemented("links on the default bridge network (--link)");
        }
        if (!aliases.isEmpty() && !network.bridged()) {
            throw DomainException.invalidParameter("network-scoped aliases are only supported for user-defined "
                    + "networks");
        }
        if (network.isDefaultBridge() && !aliases.isEmpty()) {
            throw DomainException.invalidParameter("network-scoped alias is supported only for containers in user "
                    + "defined networks");
        }
        if (!ip.isEmpty()) {
            if (network.isDefaultBridge()) {
                throw DomainException.invalidParameter("user specified IP address is supported on user defined "
                        + "networks only");
            }
            if (!network.bridged()) {
                throw DomainException.invalidParameter("user specified IP address is supported only with a bridge "
                        + "network");
            }
            int address = Subnet.parseAddress(ip);
            if (!network.parsedSubnet().contains(address)) {
                throw DomainException.invalidParameter("invalid address " + ip + ": it does not belong to any of "
                        + "this network's subnets (" + network.subnet() + ")");
            }
        }
        if (!mac.isEmpty() && !mac.matches("(?i)[0-9a-f]{2}(:[0-9a-f]{2}){5}")) {
            throw DomainException.invalidParameter("invalid MAC address: " + mac);
        }
        return new EndpointSettings(aliases, ip, mac, linkLocal, links,
                asked == null ? Map.of() : asked.driverOpts(), ip6);
    }

    /** {@code name}, {@code /name}, {@code name:alias} as {@code name:alias}, each once (the CLI sends --link twice). */
    static List<String> normalizedLinks(List<String> links) {
        return links.stream().map(LegacyLinks::parse).map(l -> l.upstream() + ":" + l.alias()).distinct().toList();
    }

    private static boolean nullOrEmpty(java.util.Collection<?> c) {
        return c == null || c.isEmpty();
    }

    private static boolean nullOrEmpty(Map<?, ?> m) {
        return m == null || m.isEmpty();
    }
}
