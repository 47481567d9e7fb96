package dev.holdfast.engine.network;

import dev.holdfast.engine.container.Container;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The JSON clients see of networks and of containers' places on them, in Docker's field names. */
final class NetworkViews {
    private NetworkViews() {}

    /** {@code GET /networks/{id}}; {@code containers}: the attached containers' endpoints, by container id. */
    static Map<String, Object> network(Network n, Map<String, Object> containers) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("Name", n.name());
        view.put("Id", n.id());
        view.put("Created", n.created());
        view.put("Scope", "local");
        view.put("Driver", n.driver());
        view.put("EnableIPv4", true);
        view.put("EnableIPv6", n.ipv6Enabled());
        List<Map<String, Object>> config = new ArrayList<>();
        if (n.bridged()) {
            Map<String, Object> subnet = new LinkedHashMap<>();
            subnet.put("Subnet", n.subnet());
            if (n.ipRange() != null && !n.ipRange().isEmpty()) {
                subnet.put("IPRange", n.ipRange());
            }
            subnet.put("Gateway", n.gateway());
            if (n.auxiliaryAddresses() != null && !n.auxiliaryAddresses().isEmpty()) {
                subnet.put("AuxiliaryAddresses", n.auxiliaryAddresses());
            }
            config.add(subnet);
        }
        if (n.ipv6Enabled()) {
            Map<String, Object> subnet6 = new LinkedHashMap<>();
            subnet6.put("Subnet", n.ipv6().subnet());
            if (!n.ipv6().ipRange().isEmpty()) {
                subnet6.put("IPRange", n.ipv6().ipRange());
            }
            subnet6.put("Gateway", n.ipv6().gateway());
            config.add(subnet6);
        }
        Map<String, Object> ipam = new LinkedHashMap<>();
        ipam.put("Driver", "default");
        ipam.put("Options", null);
        ipam.put("Config", config);
        view.put("IPAM", ipam);
        view.put("Internal", n.internal());
        view.put("Attachable", false);
        view.put("Ingress", false);
        view.put("ConfigFrom", Map.of("Network", ""));
        view.put("ConfigOnly", false);
        view.put("Containers", containers);
        view.put("Options", n.options());
        view.put("Labels", n.labels());
        return view;
    }

    /** One entry of a network's {@code Containers}. */
    static Map<String, Object> member(String name, Endpoint e) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("Name", name);
        view.put("EndpointID", e.endpointId());
        view.put("MacAddress", e.macAddress());
        view.put("IPv4Address", e.ipAddress() + "/" + e.prefixLength());
        view.put("IPv6Address", e.ipv6Address().isEmpty() ? "" : e.ipv6Address() + "/" + e.ipv6PrefixLength());
        return view;
    }

    /** {@code NetworkSettings} of {@code docker inspect}; the top-level address fields are the default bridge's. */
    /** How a view learns a container's DNS names on a network (its name, aliases, short id, links' aliases). */
    interface DnsNames {
        List<String> of(String containerId, String name, Network n, EndpointSettings asked);
    }

    static Map<String, Object> containerSettings(Container c, Optional<Attachment> found, NetworkStore networks,
            DnsNames dnsNames) {
        Map<String, Object> settings = new LinkedHashMap<>();
        Attachment a = found.orElse(null);
        Optional<Endpoint> bridge = Optional.ofNullable(a).map(x -> x.endpoints().get(networks.defaultBridge().id()));
        settings.put("Bridge", "");
        settings.put("SandboxID", a != null && !a.namespace().isEmpty() ? c.id() : "");
        settings.put("SandboxKey", a == null ? "" : a.namespace());
        settings.put("Ports", ports(c, a));
        settings.put("HairpinMode", false);
        settings.put("LinkLocalIPv6Address", "");
        settings.put("LinkLocalIPv6PrefixLen", 0);
        settings.put("SecondaryIPAddresses", null);
        settings.put("SecondaryIPv6Addresses", null);
        settings.put("EndpointID", bridge.map(Endpoint::endpointId).orElse(""));
        settings.put("Gateway", bridge.map(Endpoint::gateway).orElse(""));
        settings.put("GlobalIPv6Address", bridge.map(Endpoint::ipv6Address).orElse(""));
        settings.put("GlobalIPv6PrefixLen", bridge.map(Endpoint::ipv6PrefixLength).orElse(0));
        settings.put("IPAddress", bridge.map(Endpoint::ipAddress).orElse(""));
        settings.put("IPPrefixLen", bridge.map(Endpoint::prefixLength).orElse(0));
        settings.put("IPv6Gateway", bridge.map(Endpoint::ipv6Gateway).orElse(""));
        settings.put("MacAddress", bridge.map(Endpoint::macAddress).orElse(""));
        settings.put("Networks", endpoints(c, found, networks, dnsNames));
        return settings;
    }

    /**
     * {@code NetworkSettings.Ports}: every exposed or published port, with its host bindings while running
     * ({@code null} for one exposed only), as {@code docker port} reads them.
     */
    private static Map<String, Object> ports(Container c, Attachment a) {
        Map<String, Object> ports = new LinkedHashMap<>();
        if (a == null || !c.record().state().hasProcess()) {
            return ports;
        }
        Map<String, Object> exposed = c.record().config().exposedPorts();
        if (exposed != null) {
            for (String key : exposed.keySet()) {
                ports.put(key.contains("/") ? key : key + "/tcp", null);
            }
        }
        for (PortMapping p : a.ports()) {
            @SuppressWarnings("unchecked")
            List<Map<String, String>> bindings = (List<Map<String, String>>) ports.get(p.portKey());
            if (bindings == null) {
                bindings = new ArrayList<>();
                ports.put(p.portKey(), bindings);
            }
            bindings.add(Map.of("HostIp", p.hostIp(), "HostPort", String.valueOf(p.hostPort())));
        }
        return ports;
    }

    /** {@code NetworkSettings.Networks}: each network by name, with the live address while running. */
    static Map<String, Object> endpoints(Container c, Optional<Attachment> found, NetworkStore networks,
            DnsNames dnsNames) {
        Map<String, Object> view = new LinkedHashMap<>();
        if (found.isEmpty()) {
            return view;
        }
        Attachment a = found.get();
        for (Map.Entry<String, EndpointSettings> entry : a.networks().entrySet()) {
            Optional<Network> n = networks.find(entry.getKey());
            if (n.isEmpty()) {
                continue;
            }
            EndpointSettings asked = entry.getValue();
            Endpoint live = a.endpoints().get(n.get().id());
            Map<String, Object> e = new LinkedHashMap<>();
            Map<String, Object> ipam = new LinkedHashMap<>();
            if (!asked.ipv4Address().isEmpty()) {
                ipam.put("IPv4Address", asked.ipv4Address());
            }
            if (!asked.ipv6Address().isEmpty()) {
                ipam.put("IPv6Address", asked.ipv6Address());
            }
            if (!asked.linkLocalIps().isEmpty()) {
                ipam.put("LinkLocalIPs", asked.linkLocalIps());
            }
            e.put("IPAMConfig", ipam.isEmpty() ? null : ipam);
            e.put("Links", asked.links().isEmpty() ? null : asked.links());
            e.put("Aliases", asked.aliases().isEmpty() ? null : asked.aliases());
            e.put("MacAddress", live == null ? "" : live.macAddress());
            e.put("DriverOpts", asked.driverOpts().isEmpty() ? null : asked.driverOpts());
            e.put("NetworkID", n.get().id());
            e.put("EndpointID", live == null ? "" : live.endpointId());
            e.put("Gateway", live == null ? "" : live.gateway());
            e.put("IPAddress", live == null ? "" : live.ipAddress());
            e.put("IPPrefixLen", live == null ? 0 : live.prefixLength());
            e.put("IPv6Gateway", live == null ? "" : live.ipv6Gateway());
            e.put("GlobalIPv6Address", live == null ? "" : live.ipv6Address());
            e.put("GlobalIPv6PrefixLen", live == null ? 0 : live.ipv6PrefixLength());
            List<String> names = dnsNames.of(c.id(), c.record().shortName(), n.get(), asked);
            e.put("DNSNames", names.isEmpty() ? null : names);
            view.put(n.get().name(), e);
        }
        return view;
    }

    /** {@code Ports} of {@code docker ps}: published ports with their host side, exposed ones without. */
    static List<Map<String, Object>> portSummary(Container c, Optional<Attachment> found) {
        List<Map<String, Object>> ports = new ArrayList<>();
        boolean running = c.record().state().hasProcess();
        List<PortMapping> live = running ? found.map(Attachment::ports).orElse(List.of()) : List.of();
        for (PortMapping p : live) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("IP", p.hostIp());
            m.put("PrivatePort", p.containerPort());
            m.put("PublicPort", p.hostPort());
            m.put("Type", p.protocol());
            ports.add(m);
        }
        Map<String, Object> exposed = c.record().config().exposedPorts();
        if (exposed != null) {
            for (String key : exposed.keySet()) {
                String[] parts = key.split("/");
                int port = Integer.parseInt(parts[0]);
                String protocol = parts.length > 1 ? parts[1] : "tcp";
                if (live.stream().noneMatch(p -> p.containerPort() == port && p.protocol().equals(protocol))) {
                    ports.add(Map.of("PrivatePort", port, "Type", protocol));
                }
            }
        }
        return ports;
    }
}
