package dev.holdfast.engine.check;

import dev.holdfast.engine.check.InstanceState.ContainerView;
import dev.holdfast.engine.check.InstanceState.SubnetRule;
import dev.holdfast.engine.network.Attachment;
import dev.holdfast.engine.network.Endpoint;
import dev.holdfast.engine.network.Network;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * netavark's network-wide rules (forwarding, masquerading) of a subnet of the instance exist only while a running
 * container is attached to that subnet's network: netavark removes them with the network's last container.
 */
final class FirewallChecks {
    private FirewallChecks() {}

    static List<Violation> check(InstanceState s) {
        Set<String> running = s.containers().stream().filter(ContainerView::hasProcess).map(ContainerView::id)
                .collect(Collectors.toSet());
        Set<String> inUse = s.attachments().stream().filter(a -> a.live() && running.contains(a.containerId()))
                .map(Attachment::endpoints).flatMap(e -> e.values().stream()).map(Endpoint::networkId)
                .collect(Collectors.toSet());
        List<Violation> found = new ArrayList<>();
        for (SubnetRule rule : s.subnetRules()) {
            String where = "iptables -t " + rule.table() + " -S: " + rule.rule();
            Optional<Network> network = s.networks().stream()
                    .filter(n -> n.bridged() && n.parsedSubnet().equals(rule.subnet())).findFirst();
            if (network.isEmpty()) {
                found.add(new Violation("a firewall rule for subnet " + rule.subnet() + ", which no network of this"
                        + " instance has", where));
            } else if (!inUse.contains(network.get().id())) {
                found.add(new Violation("a firewall rule for network " + network.get().name() + " ("
                        + rule.subnet() + "), to which no running container is attached", where));
            }
        }
        return found;
    }
}
