package dev.holdfast.engine.network;

import dev.holdfast.engine.container.Container;
import dev.holdfast.engine.container.ContainerRecord;
import dev.holdfast.engine.container.ContainerStore;
import dev.holdfast.engine.container.LegacyLinks;
import dev.holdfast.engine.container.NetworkSandbox;
import dev.holdfast.engine.errdefs.DomainException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What Docker's legacy links on the default bridge give the linking container when it starts: an /etc/hosts line per
 * upstream container ({@code ip alias name}) and the environment Docker documents ({@code ALIAS_NAME},
 * {@code ALIAS_ENV_*}, {@code ALIAS_PORT*}). Upstream containers must be running.
 */
final class LinkEnvironment {
    private LinkEnvironment() {}

    static NetworkSandbox.Links of(ContainerRecord linker, ContainerStore containers, AttachmentStore attachments,
            Network defaultBridge) {
        List<String> links = linker.hostConfig().links();
        if (links == null || links.isEmpty()) {
            return NetworkSandbox.Links.NONE;
        }
        List<String> hosts = new ArrayList<>();
        List<String> env = new ArrayList<>();
        for (String text : links) {
            LegacyLinks.Link link = LegacyLinks.parse(text);
            String as = "/" + link.upstream() + " AS " + linker.name() + "/" + link.alias();
            Container upstream = containers.find(link.upstream()).orElseThrow(() -> DomainException.conflict(
                    "Cannot link to /" + link.upstream() + ", as it does not belong to the default network (" + as
                            + ": no such container)"));
            Endpoint endpoint = attachments.find(upstream.id()).map(a -> a.endpoints().get(defaultBridge.id()))
                    .orElse(null);
            if (!upstream.record().state().hasProcess() || endpoint == null) {
                throw DomainException.conflict("Cannot link to a non running container: " + as);
            }
            hosts.add(endpoint.ipAddress() + "\t" + link.alias() + " " + upstream.record().config().hostname() + " "
                    + upstream.record().shortName());
            env.addAll(variables(link.alias(), linker.name() + "/" + link.alias(), upstream.record(),
                    endpoint.ipAddress()));
        }
        return new NetworkSandbox.Links(hosts, env);
    }

    /** moby's links: the alias upper-cased with '-' as '_'; the upstream's environment but HOME and PATH. */
    static List<String> variables(String alias, String linkName, ContainerRecord upstream, String ip) {
        String prefix = alias.toUpperCase(Locale.ROOT).replace('-', '_');
        List<String> env = new ArrayList<>();
        Map<String, Object> exposed = upstream.config().exposedPorts();
        List<String> ports = exposed == null ? List.of() : exposed.keySet().stream().sorted().toList();
        if (!ports.isEmpty()) {
            String[] first = portParts(ports.get(0));
            env.add(prefix + "_PORT=" + first[1] + "://" + ip + ":" + first[0]);
        }
        for (String port : ports) {
            String[] p = portParts(port);
            String key = prefix + "_PORT_" + p[0] + "_" + p[1].toUpperCase(Locale.ROOT);
            env.add(key + "=" + p[1] + "://" + ip + ":" + p[0]);
            env.add(key + "_ADDR=" + ip);
            env.add(key + "_PORT=" + p[0]);
            env.add(key + "_PROTO=" + p[1]);
        }
        env.add(prefix + "_NAME=" + linkName);
        for (String variable : upstream.config().env() == null ? List.<String>of() : upstream.config().env()) {
            int eq = variable.indexOf('=');
            if (eq <= 0) {
                continue;
            }
            String name = variable.substring(0, eq);
            if (!name.equals("HOME") && !name.equals("PATH")) {
                env.add(prefix + "_ENV_" + name + "=" + variable.substring(eq + 1));
            }
        }
        return env;
    }

    private static String[] portParts(String key) {
        int slash = key.indexOf('/');
        return slash < 0 ? new String[] {key, "tcp"} : new String[] {key.substring(0, slash), key.substring(slash + 1)};
    }
}
