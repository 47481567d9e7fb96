package dev.holdfast.engine.check;

import dev.holdfast.engine.check.InstanceState.ContainerView;
import dev.holdfast.engine.check.InstanceState.DnatRule;
import dev.holdfast.engine.network.Attachment;
import dev.holdfast.engine.network.Endpoint;
import dev.holdfast.engine.network.Network;
import dev.holdfast.engine.network.PortMapping;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Network allocations belong to records: an attachment to a container record, addresses, namespaces and published
 * ports to running containers only (once each), every DNAT rule to an address and port a running container has and
 * the other way round, and each bridge has one veth per running container attached to its network.
 */
final class NetworkChecks {
    private NetworkChecks() {}

    static List<Violation> check(InstanceState s) {
        List<Violation> found = new ArrayList<>();
        Map<String, ContainerView> records = s.containersById();
        Map<String, String> addressOwners = new HashMap<>();
        Map<String, String> portOwners = new HashMap<>();
        Map<String, Integer> endpointsByNetwork = new HashMap<>();
        for (Attachment a : s.attachments()) {
            ContainerView c = records.get(a.containerId());
            String file = s.dataRoot() + "/network/containers/" + a.containerId() + ".json";
            if (c == null) {
                found.add(new Violation("network allocations of a container no record has", file));
                continue;
            }
            if (!a.live()) {
                continue;
            }
            if (!c.hasProcess()) {
                found.add(new Violation("container " + c.id() + " (" + c.name() + ") is not running but keeps its"
                        + " addresses, ports or namespace", file));
            }
            for (Endpoint e : a.endpoints().values()) {
                endpointsByNetwork.merge(e.networkId(), 1, Integer::sum);
                claim(addressOwners, e.networkId() + " " + e.ipAddress(), c.id(), "address " + e.ipAddress()
                        + " of network " + e.networkId(), found);
            }
            for (PortMapping p : a.ports()) {
                claim(portOwners, p.protocol() + " " + p.hostIp() + ":" + p.hostPort(), c.id(), "host port "
                        + p.hostIp() + ":" + p.hostPort() + "/" + p.protocol(), found);
                if (s.dnatRules().stream().noneMatch(r -> forwards(r, a, p))) {
                    found.add(new Violation("container " + c.id() + " (" + c.name() + ") publishes " + p.hostIp() + ":"
                            + p.hostPort() + "/" + p.protocol() + ", but no DNAT rule forwards it",
                            "iptables -t nat -S"));
                }
            }
            if (!a.namespace().isEmpty() && !s.netnsFiles().contains(c.id())) {
                found.add(new Violation("container " + c.id() + " (" + c.name() + ") has lost its network namespace",
                        a.namespace()));
            }
        }
        for (DnatRule rule : s.dnatRules()) {
            boolean owned = s.attachments().stream().filter(Attachment::live)
                    .anyMatch(a -> a.ports().stream().anyMatch(p -> forwards(rule, a, p)));
            if (!owned) {
                found.add(new Violation("a DNAT rule to an address and port no running container has", rule.rule()));
            }
        }
        for (String netns : s.netnsFiles()) {
            ContainerView c = records.get(netns);
            if (c == null || !c.hasProcess()) {
                found.add(new Violation("a network namespace file of a container that is not running",
                        s.runRoot() + "/netns/" + netns));
            }
        }
        for (Network n : s.networks()) {
            if (n.bridged() && s.vethsByBridge().containsKey(n.bridge())) {
                int veths = s.vethsByBridge().get(n.bridge());
                int expected = endpointsByNetwork.getOrDefault(n.id(), 0);
                if (veths != expected) {
                    found.add(new Violation("bridge " + n.bridge() + " of network " + n.name() + " has " + veths
                            + " veths, but " + expected + " running containers are attached to it",
                            "ip link show master " + n.bridge()));
                }
            }
        }
        return found;
    }

    private static void claim(Map<String, String> owners, String key, String containerId, String what,
            List<Violation> found) {
        String other = owners.putIfAbsent(key, containerId);
        if (other != null) {
            found.add(new Violation(what + " is allocated to two containers, " + other + " and " + containerId,
                    "<data>/network/containers"));
        }
    }

    private static boolean forwards(DnatRule rule, Attachment a, PortMapping p) {
        return rule.protocol().equals(p.protocol()) && rule.hostPort() == p.hostPort()
                && a.endpoints().values().stream().anyMatch(e -> e.carriesPorts()
                        && rule.destination().equals(e.ipAddress()));
    }
}
