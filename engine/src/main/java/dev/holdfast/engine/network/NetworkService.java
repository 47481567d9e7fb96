package dev.holdfast.engine.network;

import dev.holdfast.engine.container.Container;
import dev.holdfast.engine.container.ContainerStore;
import dev.holdfast.engine.container.NetworkingConfig;
import dev.holdfast.engine.errdefs.DomainException;
import dev.holdfast.engine.events.EventBus;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/** User-defined networks (create, remove, prune) and containers joining and leaving them, with their events. */
public final class NetworkService {
    private final NetworkStore networks;
    private final ContainerNetworks members;
    private final ContainerStore containers;
    private final EventBus events;
    private final SubnetPool pool;
    private final String bridgePrefix;

    /** @param bridgePrefix user networks' bridges are named {@code <prefix>-<n>}: the instance's own devices */
    public NetworkService(NetworkStore networks, ContainerNetworks members, ContainerStore containers, EventBus events,
            Subnet pool, int poolBlockPrefix, String bridgePrefix) {
        this.networks = networks;
        this.members = members;
        this.containers = containers;
        this.events = events;
        this.pool = new SubnetPool(pool, poolBlockPrefix);
        this.bridgePrefix = bridgePrefix;
    }

    public NetworkStore store() {
        return networks;
    }

    /**
     * @param duplicateNamesAllowed {@code CheckDuplicate: false}: a second network of the same name may be made (names
     *     then find the first; ids tell them apart), as dockerd allowed before API 1.44
     */
    public synchronized Network create(NetworkCreateRequest request, boolean duplicateNamesAllowed) {
        String name = request.name() == null ? "" : request.name();
        if (name.isEmpty()) {
            throw DomainException.invalidParameter("network name is required");
        }
        // Docker takes any name; only a name that reads as a predefined network's or a path is trouble here.
        if (name.contains("/")) {
            throw DomainException.invalidParameter("invalid network name \"" + name + "\": it must not contain '/'");
        }
        refuseUnsupported(request);
        boolean taken = networks.all().stream().anyMatch(n -> n.name().equals(name));
        if (taken && (!duplicateNamesAllowed || networks.get(name).predefined())) {
            throw DomainException.conflict("network with name " + name + " already exists");
        }
        Map<String, String> options = request.options() == null ? Map.of() : Map.copyOf(request.options());
        NetworkOptions.validate(options);
        List<NetworkCreateRequest.IpamPool> configs = request.ipam() == null || request.ipam().config() == null
                ? List.of() : request.ipam().config();
        NetworkCreateRequest.IpamPool asked = configs.stream().filter(c -> !isIpv6(c)).findFirst().orElse(null);
        Network.Ipv6 ipv6 = ipv6(configs.stream().filter(NetworkService::isIpv6).findFirst().orElse(null),
                Boolean.TRUE.equals(request.enableIPv6()));
        List<Subnet> inUse = networks.all().stream().filter(Network::bridged).map(Network::parsedSubnet).toList();
        Subnet subnet;
        if (asked != null && asked.subnet() != null && !asked.subnet().isEmpty()) {
            subnet = Subnet.parse(asked.subnet());
            if (inUse.stream().anyMatch(subnet::overlaps)) {
                throw DomainException.forbidden("Pool overlaps with other one on this address space");
            }
        } else {
            if (asked != null && ((asked.ipRange() != null && !asked.ipRange().isEmpty())
                    || (asked.gateway() != null && !asked.gateway().isEmpty()))) {
                throw DomainException.invalidParameter("a gateway or ip-range needs a subnet (--subnet)");
            }
            subnet = pool.next(inUse);
        }
        String gateway = asked != null && asked.gateway() != null && !asked.gateway().isEmpty() ? asked.gateway()
                : Subnet.format(subnet.firstHost());
        if (!subnet.contains(Subnet.parseAddress(gateway))) {
            throw DomainException.invalidParameter("gateway " + gateway + " is not in subnet " + subnet);
        }
        String ipRange = "";
        if (asked != null && asked.ipRange() != null && !asked.ipRange().isEmpty()) {
            Subnet range = Subnet.parse(asked.ipRange());
            if (!subnet.contains(range)) {
                throw DomainException.invalidParameter("ip-range " + range + " is not in subnet " + subnet);
            }
            ipRange = range.toString();
        }
        Map<String, String> auxiliary = new LinkedHashMap<>();
        if (asked != null && asked.auxiliaryAddresses() != null) {
            for (Map.Entry<String, String> aux : asked.auxiliaryAddresses().entrySet()) {
                if (!subnet.contains(Subnet.parseAddress(aux.getValue()))) {
                    throw DomainException.invalidParameter("auxiliary address " + aux.getKey() + "=" + aux.getValue()
                            + " is not in subnet " + subnet);
                }
                auxiliary.put(aux.getKey(), aux.getValue());
            }
        }
        String bridge = options.getOrDefault(NetworkOptions.BRIDGE_NAME, nextBridgeName());
        if (networks.all().stream().anyMatch(n -> bridge.equals(n.bridge()))) {
            throw DomainException.conflict("bridge " + bridge + " is already used by another network");
        }
        Network network = new Network(ContainerNetworks.randomId(), name, "bridge",
                DateTimeFormatter.ISO_INSTANT.format(Instant.now()), bridge, subnet.toString(), gateway, ipRange,
                auxiliary, request.internal(), true, false,
                request.labels() == null ? Map.of() : Map.copyOf(request.labels()), options, ipv6);
        try {
            networks.add(network);
        } catch (IOException e) {
            throw DomainException.system("recording network " + name + ": " + e.getMessage(), e);
        }
        events.publish(NetworkEvents.of(network, "create", null));
        return network;
    }

    private static void refuseUnsupported(NetworkCreateRequest r) {
        String driver = r.driver() == null || r.driver().isEmpty() ? "bridge" : r.driver();
        if (driver.equals("host") || driver.equals("null")) {
            throw DomainException.forbidden("only one instance of \"" + driver + "\" network is allowed");
        }
        if (!driver.equals("bridge")) {
            throw DomainException.notImplemented("the network driver \"" + driver + "\"");
        }
        if (r.scope() != null && !r.scope().isEmpty() && !r.scope().equals("local")) {
            throw DomainException.notImplemented("the network scope \"" + r.scope() + "\"");
        }
        if (r.ingress()) {
            throw DomainException.notImplemented("ingress networks (--ingress)");
        }
        if (r.configOnly() || (r.configFrom() != null && !r.configFrom().getOrDefault("Network", "").isEmpty())) {
            throw DomainException.notImplemented("config-only networks (--config-only, --config-from)");
        }
        if (Boolean.FALSE.equals(r.enableIPv4())) {
            throw DomainException.notImplemented("networks without IPv4");
        }
        if (r.ipam() != null) {
            if (r.ipam().driver() != null && !r.ipam().driver().isEmpty() && !r.ipam().driver().equals("default")) {
                throw DomainException.notImplemented("the IPAM driver \"" + r.ipam().driver() + "\"");
            }
            if (r.ipam().options() != null && !r.ipam().options().isEmpty()) {
                throw DomainException.notImplemented("IPAM options (--ipam-opt)");
            }
            List<NetworkCreateRequest.IpamPool> config = r.ipam().config() == null ? List.of() : r.ipam().config();
            if (config.stream().filter(NetworkService::isIpv6).count() > 1
                    || config.stream().filter(c -> !isIpv6(c)).count() > 1) {
                throw DomainException.notImplemented("more than one subnet of a family per network");
            }
        }
    }

    private static boolean isIpv6(NetworkCreateRequest.IpamPool pool) {
        return pool.subnet() != null && pool.subnet().contains(":");
    }

    /**
     * The IPv6 part of a dual-stack network: given an IPv6 subnet, the network has one (dockerd 20.10 took such a
     * pool without {@code EnableIPv6} too); {@code --ipv6} alone would need a pool of IPv6 subnets holdfast lacks.
     */
    private Network.Ipv6 ipv6(NetworkCreateRequest.IpamPool pool, boolean enable) {
        if (pool == null) {
            if (enable) {
                throw DomainException.notImplemented("IPv6 without an IPv6 subnet (give one with --subnet)");
            }
            return null;
        }
        Ipv6Subnet subnet = Ipv6Subnet.parse(pool.subnet());
        for (Network n : networks.all()) {
            if (n.ipv6Enabled() && n.ipv6().parsedSubnet().overlaps(subnet)) {
                throw DomainException.forbidden("Pool overlaps with other one on this address space");
            }
        }
        String gateway = pool.gateway() == null || pool.gateway().isEmpty()
                ? Ipv6Subnet.format(subnet.address(1)) : pool.gateway();
        if (!subnet.contains(Ipv6Subnet.parseAddress(gateway))) {
            throw DomainException.invalidParameter("gateway " + gateway + " is not in subnet " + subnet);
        }
        String range = "";
        if (pool.ipRange() != null && !pool.ipRange().isEmpty()) {
            Ipv6Subnet parsed = Ipv6Subnet.parse(pool.ipRange());
            if (!subnet.contains(parsed)) {
                throw DomainException.invalidParameter("ip-range " + parsed + " is not in subnet " + subnet);
            }
            range = parsed.toString();
        }
        if (pool.auxiliaryAddresses() != null && !pool.auxiliaryAddresses().isEmpty()) {
            throw DomainException.notImplemented("auxiliary addresses in an IPv6 subnet");
        }
        return new Network.Ipv6(subnet.toString(), Ipv6Subnet.format(Ipv6Subnet.parseAddress(gateway)), range);
    }

    private String nextBridgeName() {
        for (int n = 1; ; n++) {
            String candidate = bridgePrefix + "-" + n;
            if (networks.all().stream().noneMatch(x -> candidate.equals(x.bridge()))) {
                return candidate;
            }
        }
    }

    /** {@code docker network rm}: predefined networks never, networks with running containers not. */
    public synchronized void remove(String nameOrId) {
        Network n = networks.get(nameOrId);
        if (n.predefined()) {
            throw DomainException.forbidden(n.name() + " is a pre-defined network and cannot be removed");
        }
        Map<String, Endpoint> attached = members.members(n.id());
        if (attached.values().stream().anyMatch(e -> e != null)) {
            throw DomainException.forbidden("error while removing network: network " + n.name() + " id " + n.id()
                    + " has active endpoints");
        }
        try {
            networks.remove(n);
        } catch (IOException e) {
            throw DomainException.system("removing network " + n.name() + ": " + e.getMessage(), e);
        }
        events.publish(NetworkEvents.of(n, "destroy", null));
    }

    /** {@code docker network prune}: user networks no container is attached to; returns their names. */
    public synchronized List<String> prune(Predicate<Network> which) {
        List<String> removed = new ArrayList<>();
        for (Network n : networks.all()) {
            if (n.predefined() || !which.test(n) || !members.members(n.id()).isEmpty()) {
                continue;
            }
            remove(n.id());
            removed.add(n.name());
        }
        return removed;
    }

    public void connect(String network, String container, NetworkingConfig.EndpointConfig endpoint) {
        Network n = networks.get(network);
        Container c = containers.get(container);
        c.lock().lock();
        try {
            members.connect(c, n, endpoint);
        } finally {
            c.lock().unlock();
        }
        events.publish(NetworkEvents.of(n, "connect", c.id()));
    }

    public void disconnect(String network, String container) {
        Network n = networks.get(network);
        Container c = containers.get(container);
        c.lock().lock();
        try {
            members.disconnect(c, n);
        } finally {
            c.lock().unlock();
        }
        events.publish(NetworkEvents.of(n, "disconnect", c.id()));
    }

    /** {@code GET /networks/{id}}: with its containers and their addresses. */
    public Map<String, Object> inspect(Network n) {
        Map<String, Object> attached = new LinkedHashMap<>();
        members.members(n.id()).forEach((id, endpoint) -> {
            if (endpoint != null) {
                String name = containers.byId(id).map(c -> c.record().shortName()).orElse(id);
                attached.put(id, NetworkViews.member(name, endpoint));
            }
        });
        return NetworkViews.network(n, attached);
    }
}
