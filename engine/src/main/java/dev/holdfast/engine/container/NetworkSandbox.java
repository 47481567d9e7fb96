package dev.holdfast.engine.container;

import dev.holdfast.engine.spec.NetworkNamespace;
import java.util.List;

/**
 * What a container's run gets from networking: the namespace its process joins and what its {@code /etc/hosts}
 * and {@code /etc/resolv.conf} say about the network.
 *
 * @param addresses the container's own addresses, each written to /etc/hosts with its hostname
 * @param nameservers what /etc/resolv.conf names: aardvark-dns on user networks, else the daemon's
 *     {@code [network] dns} unless the container asked for its own ({@code --dns}); empty for the host's
 * @param hostGateway the address {@code --add-host NAME:host-gateway} stands for
 * @param etcFrom the container directory whose hosts and resolv.conf are shared ({@code container:<id>}), or null
 * @param links what legacy links add: /etc/hosts lines and environment variables
 */
public record NetworkSandbox(NetworkNamespace namespace, List<String> addresses, List<String> nameservers,
        String hostGateway, java.nio.file.Path etcFrom, Links links) {

    /** Legacy links' part of a run: {@code ip\talias name} lines for /etc/hosts, {@code ALIAS_...} variables. */
    public record Links(List<String> hostsLines, List<String> environment) {
        public static final Links NONE = new Links(List.of(), List.of());
    }

    /** Before the first start: loopback only, and /etc files without addresses. */
    public static NetworkSandbox unattached() {
        return new NetworkSandbox(new NetworkNamespace.Private(), List.of(), List.of(), "", null, Links.NONE);
    }
}
