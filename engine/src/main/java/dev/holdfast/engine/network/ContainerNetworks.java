package dev.holdfast.engine.network;

import dev.holdfast.engine.container.Container;
import dev.holdfast.engine.container.ContainerConfig;
import dev.holdfast.engine.container.ContainerNetworking;
import dev.holdfast.engine.container.ContainerRecord;
import dev.holdfast.engine.container.ContainerStore;
import dev.holdfast.engine.container.HostConfig;
import dev.holdfast.engine.container.NetworkSandbox;
import dev.holdfast.engine.container.NetworkingConfig;
import dev.holdfast.engine.errdefs.DomainException;
import dev.holdfast.engine.events.EventBus;
import dev.holdfast.engine.spec.NetworkNamespace;
import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Containers' places on networks: which networks each one is on, the addresses and host ports it holds while it
 * runs, its namespace, and the netavark calls that make them real. Allocation happens under one lock and is
 * written down ({@link AttachmentStore}) before netavark touches the kernel.
 */
public final class ContainerNetworks implements ContainerNetworking {
    private static final Logger LOG = Logger.getLogger(ContainerNetworks.class.getName());
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String CONTAINER_MODE = "container:";

    private final NetworkStore networks;
    private final AttachmentStore attachments;
    private final NetworkNamespaces namespaces;
    private final Netavark netavark;
    private final ContainerStore containers;
    private final EventBus events;
    private final List<String> upstreamDns;
    private final Object allocation = new Object();

    /**
     * @param upstreamDns {@code [network] dns}: the resolvers containers use on the default bridge, and aardvark-dns
     *     forwards to on user networks; empty for the host's
     */
    public ContainerNetworks(NetworkStore networks, AttachmentStore attachments, NetworkNamespaces namespaces,
            Netavark netavark, ContainerStore containers, EventBus events, List<String> upstreamDns) {
        this.events = events;
        this.upstreamDns = List.copyOf(upstreamDns);
        this.networks = networks;
        this.attachments = attachments;
        this.namespaces = namespaces;
        this.netavark = netavark;
        this.containers = containers;
    }

    // ---- create ---------------------------------------------------------------------------------------------------

    @Override
    public String create(String containerId, String name, HostConfig host, ContainerConfig config,
            NetworkingConfig asked) {
        String mode = host.networkMode();
        Map<String, NetworkingConfig.EndpointConfig> endpoints = new LinkedHashMap<>();
        if (asked != null && asked.endpointsConfig() != null) {
            // The CLI names the default network "default", as it does in NetworkMode.
            asked.endpointsConfig().forEach((network, endpoint) ->
                    endpoints.put(network.equals("default") ? Network.DEFAULT_BRIDGE : network, endpoint));
        }
        List<PortRequest> ports = PortRequest.parse(host.portBindings(), config.exposedPorts(), host.publishAllPorts());
        PortRequest.validateExposed(config.exposedPorts());
        List<String> hostLinks = host.links() == null ? List.of() : host.links();
        if (!hostLinks.isEmpty() && (mode.startsWith(CONTAINER_MODE) || !networks.get(mode).bridged())) {
            throw DomainException.invalidParameter("conflicting options: links and the " + mode + " network mode");
        }
        if (mode.startsWith(CONTAINER_MODE)) {
            EndpointRequests.refuseWithSharedNamespace(host, config, ports, endpoints,
                    "the container type network mode");
            Container other = containers.find(mode.substring(CONTAINER_MODE.length())).orElseThrow(
                    () -> DomainException.notFound("No such container: " + mode.substring(CONTAINER_MODE.length())));
            if (other.id().equals(containerId)) {
                throw DomainException.invalidParameter("cannot join own network namespace");
            }
            save(Attachment.of(containerId, Map.of()));
            return CONTAINER_MODE + other.id();
        }
        Network primary = networks.get(mode);
        if (primary.name().equals(Network.HOST)) {
            EndpointRequests.refuseWithSharedNamespace(host, config, ports, Map.of(), "the host network mode");
        }
        if (!primary.bridged() && !ports.isEmpty()) {
            throw DomainException.invalidParameter("conflicting options: port publishing and the container type "
                    + "network mode");
        }
        Map<String, EndpointSettings> wanted = new LinkedHashMap<>();
        NetworkingConfig.EndpointConfig primaryAsked = endpoints.get(mode);
        EndpointSettings primarySettings = EndpointRequests.settings(primary, primaryAsked,
                EndpointRequests.macOf(config, primaryAsked));
        if (!hostLinks.isEmpty() && !primary.isDefaultBridge()) {
            // dockerd's rule: on a user network, --link is the endpoint's link (a DNS alias of its target there).
            List<String> links = new ArrayList<>(primarySettings.links());
            links.addAll(hostLinks);
            primarySettings = primarySettings.withLinks(EndpointRequests.normalizedLinks(links));
        }
        wanted.put(primary.id(), primarySettings);
        for (Map.Entry<String, NetworkingConfig.EndpointConfig> e : endpoints.entrySet()) {
            Network other = networks.get(e.getKey());
            if (other.id().equals(primary.id())) {
                continue;
            }
            if (!primary.bridged() || !other.bridged()) {
                throw DomainException.invalidParameter("container cannot be connected to network " + other.name()
                        + " as well as to " + primary.name());
            }
            wanted.put(other.id(), EndpointRequests.settings(other, e.getValue(), ""));
        }
        save(Attachment.of(containerId, wanted));
        return primary.isDefaultBridge() ? Network.DEFAULT_BRIDGE : primary.name();
    }

    // ---- start and stop -------------------------------------------------------------------------------------------

    @Override
    public NetworkSandbox attach(Container c) {
        ContainerRecord record = c.record();
        String mode = record.hostConfig().networkMode();
        String hostGateway = networks.defaultBridge().gateway();
        if (mode.startsWith(CONTAINER_MODE)) {
            return joinContainer(c, mode.substring(CONTAINER_MODE.length()), hostGateway);
        }
        Attachment attachment = attachmentOf(record);
        Map<String, Network> bridged = new LinkedHashMap<>();
        boolean host = false;
        for (String networkId : attachment.networks().keySet()) {
            Network n = networks.find(networkId).orElseThrow(() -> DomainException.notFound(
                    "network " + networkId + " of container " + c.id() + " not found"));
            if (n.bridged()) {
                bridged.put(n.id(), n);
            }
            host |= n.name().equals(Network.HOST);
        }
        List<String> ownDns = record.hostConfig().dns() == null ? List.of() : record.hostConfig().dns();
        // Without a network DNS, resolv.conf names the daemon's resolvers, unless the container asked for its own.
        List<String> plainDns = ownDns.isEmpty() ? upstreamDns : List.of();
        if (host) {
            return new NetworkSandbox(new NetworkNamespace.Host(), List.of(), plainDns, hostGateway, null,
                    NetworkSandbox.Links.NONE);
        }
        if (bridged.isEmpty()) {
            return new NetworkSandbox(new NetworkNamespace.Private(), List.of(), plainDns, hostGateway, null,
                    NetworkSandbox.Links.NONE);
        }
        try {
            Attachment live = allocate(record, attachment, bridged);
            Path namespace = namespaces.create(c.id());
            Map<String, Endpoint> endpoints = new LinkedHashMap<>();
            for (Endpoint endpoint : live.endpoints().values()) {
                Network n = bridged.get(endpoint.networkId());
                EndpointSettings asked = live.networks().get(n.id());
                String mac = netavark.setup(namespace, c.id(), record.shortName(),
                        link(c.id(), record.shortName(), n, endpoint, asked, ownDns),
                        endpoint.carriesPorts() ? live.ports() : List.of());
                namespaces.addLinkLocal(c.id(), endpoint.interfaceName(), asked.linkLocalIps());
                endpoints.put(n.id(), endpoint.withMacAddress(mac));
            }
            save(live.withLive(endpoints, live.ports(), live.namespace()));
            // As dockerd: a container joins its networks when it starts, and leaves them when it stops.
            bridged.values().forEach(n -> events.publish(NetworkEvents.of(n, "connect", c.id())));
            List<String> addresses = new ArrayList<>();
            for (Endpoint e : endpoints.values()) {
                addresses.add(e.ipAddress());
                if (!e.ipv6Address().isEmpty()) {
                    addresses.add(e.ipv6Address());
                }
            }
            List<String> gateways = bridged.values().stream().filter(Network::dnsEnabled)
                    .map(Network::gateway).distinct().toList();
            List<String> nameservers = gateways.isEmpty() ? plainDns : gateways;
            return new NetworkSandbox(new NetworkNamespace.Join(namespace.toString()), addresses, nameservers,
                    hostGateway, null, bridged.containsKey(networks.defaultBridge().id())
                            ? LinkEnvironment.of(record, containers, attachments, networks.defaultBridge())
                            : NetworkSandbox.Links.NONE);
        } catch (RuntimeException e) {
            detach(c.id());
            throw e;
        }
    }

    private NetworkSandbox joinContainer(Container c, String otherId, String hostGateway) {
        Container other = containers.byId(otherId).orElseThrow(() -> DomainException.notFound(
                "cannot join the network namespace of container " + otherId + ": No such container"));
        if (!other.record().state().hasProcess()) {
            throw DomainException.conflict("cannot join network namespace of a non running container: container "
                    + other.id() + " is not running");
        }
        String path = attachments.find(other.id()).map(Attachment::namespace).filter(ns -> !ns.isEmpty())
                .orElse("/proc/" + other.record().state().pid() + "/ns/net");
        return new NetworkSandbox(new NetworkNamespace.Join(path), List.of(), List.of(), hostGateway, other.dir(),
                NetworkSandbox.Links.NONE);
    }

    /** Addresses and host ports for a run, recorded (durably) as taken before anything uses them. */
    private Attachment allocate(ContainerRecord record, Attachment attachment, Map<String, Network> bridged) {
        synchronized (allocation) {
            Map<String, Endpoint> endpoints = new LinkedHashMap<>();
            int index = 0;
            for (Network n : bridged.values()) {
                EndpointSettings asked = attachment.networks().get(n.id());
                endpoints.put(n.id(), newEndpoint(record.id(), n, asked, index, index == 0));
                index++;
            }
            List<PortRequest> requests = PortRequest.parse(record.hostConfig().portBindings(),
                    record.config().exposedPorts(), record.hostConfig().publishAllPorts());
            List<PortMapping> ports = PortAllocator.allocate(requests, takenPorts(record.id()),
                    record.shortName() + " (" + record.id() + ")");
            Attachment live = attachment.withLive(endpoints, ports, namespaces.pathOf(record.id()).toString());
            save(live);
            return live;
        }
    }

    /** Caller holds the allocation lock. */
    private Endpoint newEndpoint(String containerId, Network n, EndpointSettings asked, int index,
            boolean carriesPorts) {
        Set<Integer> used = new HashSet<>();
        Set<java.math.BigInteger> used6 = new HashSet<>();
        for (Attachment a : attachments.all()) {
            if (a.containerId().equals(containerId)) {
                continue;
            }
            Endpoint e = a.endpoints().get(n.id());
            if (e != null) {
                used.add(Subnet.parseAddress(e.ipAddress()));
                if (!e.ipv6Address().isEmpty()) {
                    used6.add(Ipv6Subnet.parseAddress(e.ipv6Address()));
                }
            }
        }
        int address = IpAllocator.allocate(n, used, asked.ipv4Address());
        if (!n.ipv6Enabled()) {
            return new Endpoint(n.id(), randomId(), "eth" + index, Subnet.format(address), n.parsedSubnet().prefix(),
                    n.gateway(), "", carriesPorts, "", 0, "");
        }
        java.math.BigInteger address6 = IpAllocator.allocate6(n, used6, asked.ipv6Address());
        return new Endpoint(n.id(), randomId(), "eth" + index, Subnet.format(address), n.parsedSubnet().prefix(),
                n.gateway(), "", carriesPorts, Ipv6Subnet.format(address6), n.ipv6().parsedSubnet().prefix(),
                n.ipv6().gateway());
    }

    private List<PortMapping> takenPorts(String exceptContainer) {
        List<PortMapping> taken = new ArrayList<>();
        for (Attachment a : attachments.all()) {
            if (!a.containerId().equals(exceptContainer)) {
                taken.addAll(a.ports());
            }
        }
        return taken;
    }

    /**
     * On a DNS-enabled network the container answers to its name, its aliases and its short id, as in Docker, and
     * to the aliases other containers on the network gave it with a legacy link (aardvark-dns has no per-container
     * view, so the whole network sees those).
     */
    Netavark.Link link(String containerId, String name, Network n, Endpoint endpoint, EndpointSettings asked,
            List<String> containerDns) {
        return new Netavark.Link(n, endpoint, dnsNames(containerId, name, n, asked), asked.macAddress(),
                containerDns, upstreamDns);
    }

    private static List<String> dnsOf(Container c) {
        return c.record().hostConfig().dns() == null ? List.of() : c.record().hostConfig().dns();
    }

    /** What aardvark-dns answers for the container on {@code n} (nothing on a network without DNS). */
    List<String> dnsNames(String containerId, String name, Network n, EndpointSettings asked) {
        List<String> names = new ArrayList<>();
        if (n.dnsEnabled()) {
            names.add(name);
            names.addAll(asked.aliases());
            names.add(containerId.substring(0, 12));
            for (Attachment other : attachments.all()) {
                EndpointSettings theirs = other.networks().get(n.id());
                for (String link : theirs == null ? List.<String>of() : theirs.links()) {
                    String target = link.substring(0, link.indexOf(':'));
                    if (target.equals(name) || containerId.startsWith(target)) {
                        names.add(link.substring(link.indexOf(':') + 1));
                    }
                }
            }
        }
        return names.stream().distinct().toList();
    }

    @Override
    public void detach(String containerId) {
        // One detach at a time: an exit and a removal may both tear one container down, and the second must find it
        // done, not a namespace the first is unmounting. netavark is serialized on the host anyway (HostLock).
        synchronized (allocation) {
            detachHoldingLock(containerId);
        }
    }

    private void detachHoldingLock(String containerId) {
        Optional<Attachment> found = attachments.find(containerId);
        if (found.isEmpty() || !found.get().live()) {
            return;
        }
        Attachment a = found.get();
        String name = containers.byId(containerId).map(c -> c.record().shortName()).orElse(containerId);
        Path namespace = Path.of(a.namespace().isEmpty() ? namespaces.pathOf(containerId).toString() : a.namespace());
        // A namespace a reboot took has nothing left to tear down (netavark could not even enter it).
        if (namespaces.isLive(containerId)) {
            for (Endpoint endpoint : a.endpoints().values()) {
                Optional<Network> n = networks.find(endpoint.networkId());
                if (n.isEmpty()) {
                    continue;
                }
                try {
                    netavark.teardown(namespace, containerId, name,
                            link(containerId, name, n.get(), endpoint,
                                    a.networks().getOrDefault(n.get().id(), EndpointSettings.none()), List.of()),
                            endpoint.carriesPorts() ? a.ports() : List.of());
                } catch (RuntimeException e) {
                    // The rest must still go: a failed teardown must not keep the ports and addresses taken.
                    LOG.log(Level.WARNING, e.getMessage());
                }
            }
        }
        namespaces.remove(containerId);
        save(a.stopped());
        for (Endpoint endpoint : a.endpoints().values()) {
            networks.find(endpoint.networkId())
                    .ifPresent(n -> events.publish(NetworkEvents.of(n, "disconnect", containerId)));
        }
    }

    @Override
    public void remove(String containerId) {
        detach(containerId);
        try {
            attachments.delete(containerId);
        } catch (IOException e) {
            throw DomainException.system("deleting the network attachment of container " + containerId + ": "
                    + e.getMessage(), e);
        }
    }

    // ---- connect and disconnect ---------------------------------------------------------------------------------

    /**
     * {@code docker network connect}: records the network; a running container gets its interface at once. Caller
     * holds the container's lock.
     */
    void connect(Container c, Network n, NetworkingConfig.EndpointConfig asked) {
        String mode = c.record().hostConfig().networkMode();
        Attachment a = attachmentOf(c.record());
        boolean shared = mode.startsWith(CONTAINER_MODE) || a.networks().keySet().stream()
                .map(networks::find).flatMap(Optional::stream).anyMatch(x -> !x.bridged());
        if (shared || !n.bridged()) {
            throw DomainException.forbidden("container " + c.record().shortName() + " cannot be connected to network "
                    + n.name() + ": a container on the host or none network, or sharing another container's, "
                    + "cannot be connected to a bridge network, and host and none cannot be connected to");
        }
        if (a.networks().containsKey(n.id())) {
            throw DomainException.forbidden("endpoint with name " + c.record().shortName()
                    + " already exists in network " + n.name());
        }
        EndpointSettings settings = EndpointRequests.settings(n, asked,
                asked == null || asked.macAddress() == null ? "" : asked.macAddress());
        Map<String, EndpointSettings> wanted = new LinkedHashMap<>(a.networks());
        wanted.put(n.id(), settings);
        if (!a.live()) {
            save(a.withNetworks(wanted));
            return;
        }
        Endpoint endpoint;
        synchronized (allocation) {
            int index = 0;
            while (usesInterface(a, "eth" + index)) {
                index++;
            }
            endpoint = newEndpoint(c.id(), n, settings, index, false);
            Map<String, Endpoint> endpoints = new LinkedHashMap<>(a.endpoints());
            endpoints.put(n.id(), endpoint);
            a = a.withNetworks(wanted).withLive(endpoints, a.ports(), a.namespace());
            save(a);
        }
        try {
            String mac = netavark.setup(Path.of(a.namespace()), c.id(), c.record().shortName(),
                    link(c.id(), c.record().shortName(), n, endpoint, settings, dnsOf(c)), List.of());
            namespaces.addLinkLocal(c.id(), endpoint.interfaceName(), settings.linkLocalIps());
            Map<String, Endpoint> endpoints = new LinkedHashMap<>(a.endpoints());
            endpoints.put(n.id(), endpoint.withMacAddress(mac));
            save(a.withLive(endpoints, a.ports(), a.namespace()));
        } catch (RuntimeException e) {
            // netavark may have made the interface before it failed (aardvark-dns, say): take it away again.
            try {
                netavark.teardown(Path.of(a.namespace()), c.id(), c.record().shortName(),
                        link(c.id(), c.record().shortName(), n, endpoint, settings, dnsOf(c)), List.of());
            } catch (RuntimeException again) {
                e.addSuppressed(again);
            }
            Map<String, Endpoint> endpoints = new LinkedHashMap<>(a.endpoints());
            endpoints.remove(n.id());
            Map<String, EndpointSettings> without = new LinkedHashMap<>(a.networks());
            without.remove(n.id());
            save(a.withNetworks(without).withLive(endpoints, a.ports(), a.namespace()));
            throw e;
        }
    }

    private static boolean usesInterface(Attachment a, String name) {
        return a.endpoints().values().stream().anyMatch(e -> e.interfaceName().equals(name));
    }

    /** {@code docker network disconnect}: the interface goes at once. Caller holds the container's lock. */
    void disconnect(Container c, Network n) {
        Attachment a = attachmentOf(c.record());
        if (!a.networks().containsKey(n.id())) {
            throw DomainException.forbidden("container " + c.id() + " is not connected to network " + n.name());
        }
        Endpoint live = a.endpoints().get(n.id());
        if (live != null) {
            try {
                netavark.teardown(Path.of(a.namespace()), c.id(), c.record().shortName(),
                        link(c.id(), c.record().shortName(), n, live, a.networks().get(n.id()), dnsOf(c)),
                        live.carriesPorts() ? a.ports() : List.of());
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, e.getMessage());
            }
        }
        Map<String, Endpoint> endpoints = new LinkedHashMap<>(a.endpoints());
        endpoints.remove(n.id());
        Map<String, EndpointSettings> without = new LinkedHashMap<>(a.networks());
        without.remove(n.id());
        save(a.withNetworks(without).withLive(endpoints, a.ports(), a.namespace()));
    }

    /** The containers attached to {@code networkId}, with their live endpoints (null while stopped). */
    Map<String, Endpoint> members(String networkId) {
        Map<String, Endpoint> members = new LinkedHashMap<>();
        for (Attachment a : attachments.all()) {
            if (a.networks().containsKey(networkId)) {
                members.put(a.containerId(), a.endpoints().get(networkId));
            }
        }
        return members;
    }

    /**
     * Engine boot, before reconcile: what a crash left behind is undone. Attachments of containers that are gone are
     * torn down and deleted, those of stopped containers are torn down, namespace files nobody records go, and so
     * do an aardvark-dns pid file and name entries a reboot made stale.
     */
    public void recover() {
        try {
            netavark.forgetStaleAardvark();
            netavark.forgetNamesOfDeadContainers(namespaces::isLive);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, e.getMessage(), e);
        }
        for (Attachment a : attachments.all()) {
            Optional<Container> c = containers.byId(a.containerId());
            try {
                if (c.isEmpty()) {
                    LOG.info("removing the network attachment of container " + a.containerId() + ": no such container");
                    remove(a.containerId());
                } else if (a.live() && !c.get().record().state().hasProcess()) {
                    LOG.info("tearing down the networks of stopped container " + a.containerId());
                    detach(a.containerId());
                }
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "recovering the networks of container " + a.containerId() + ": "
                        + e.getMessage(), e);
            }
        }
        for (String id : namespaces.list()) {
            boolean owned = attachments.find(id).map(Attachment::live).orElse(false);
            if (!owned) {
                LOG.info("removing network namespace " + namespaces.pathOf(id) + ": no container owns it");
                try {
                    namespaces.remove(id);
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, e.getMessage());
                }
            }
        }
    }

    // ---- views ------------------------------------------------------------------------------------------------------

    @Override
    public Map<String, Object> settings(Container c) {
        return NetworkViews.containerSettings(c, attachments.find(c.id()), networks, this::dnsNames);
    }

    @Override
    public List<Map<String, Object>> portSummary(Container c) {
        return NetworkViews.portSummary(c, attachments.find(c.id()));
    }

    @Override
    public Map<String, Object> networkSummary(Container c) {
        return NetworkViews.endpoints(c, attachments.find(c.id()), networks, this::dnsNames);
    }

    // ---- helpers ----------------------------------------------------------------------------------------------------

    /** A container created before networks existed has no attachment: it is on the default bridge. */
    Attachment attachmentOf(ContainerRecord record) {
        return attachments.find(record.id()).orElseGet(() -> {
            Network n = networks.find(record.hostConfig().networkMode()).orElse(networks.defaultBridge());
            Attachment a = Attachment.of(record.id(), Map.of(n.id(), EndpointSettings.none()));
            save(a);
            return a;
        });
    }

    void save(Attachment a) {
        try {
            attachments.save(a);
        } catch (IOException e) {
            throw DomainException.system("recording the networks of container " + a.containerId() + ": "
                    + e.getMessage(), e);
        }
    }

    static String randomId() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }
}
