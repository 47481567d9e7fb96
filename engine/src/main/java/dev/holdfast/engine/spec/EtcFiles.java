package dev.holdfast.engine.spec;

import dev.holdfast.engine.container.HostConfig;
import dev.holdfast.engine.container.NetworkSandbox;
import dev.holdfast.engine.store.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The container's {@code /etc/hostname}, {@code /etc/hosts} and {@code /etc/resolv.conf}: files in the container
 * directory, bind-mounted over the image's so that the image stays untouched.
 */
public final class EtcFiles {
    public static final String HOSTNAME = "hostname";
    public static final String HOSTS = "hosts";
    public static final String RESOLV_CONF = "resolv.conf";

    private static final Path HOST_RESOLV_CONF = Path.of("/etc/resolv.conf");
    // Where systemd-resolved keeps the real upstream servers when /etc/resolv.conf points at its stub.
    private static final Path RESOLVED_UPSTREAM = Path.of("/run/systemd/resolve/resolv.conf");
    private static final List<String> FALLBACK_NAMESERVERS = List.of("8.8.8.8", "8.8.4.4");

    private EtcFiles() {}

    /**
     * Writes the three files for a run on {@code sandbox}: a container sharing another's namespace shares its
     * files; one on the host network gets the host's hosts file; others get Docker's, with their own addresses.
     */
    public static void write(Path containerDir, String hostname, HostConfig hostConfig, NetworkSandbox sandbox)
            throws IOException {
        if (sandbox.etcFrom() != null) {
            for (String file : List.of(HOSTNAME, HOSTS, RESOLV_CONF)) {
                AtomicFiles.write(containerDir.resolve(file), Files.readAllBytes(sandbox.etcFrom().resolve(file)));
            }
            return;
        }
        AtomicFiles.write(containerDir.resolve(HOSTNAME), (hostname + "\n").getBytes(StandardCharsets.UTF_8));
        String base = sandbox.namespace() instanceof NetworkNamespace.Host && Files.exists(HOST_HOSTS)
                ? Files.readString(HOST_HOSTS) : DOCKER_HOSTS;
        StringBuilder hosts = new StringBuilder(hosts(base, hostConfig.extraHosts(), sandbox.hostGateway(),
                sandbox.addresses(), hostname));
        sandbox.links().hostsLines().forEach(line -> hosts.append(line).append('\n'));
        AtomicFiles.write(containerDir.resolve(HOSTS), hosts.toString().getBytes(StandardCharsets.UTF_8));
        // The network's resolvers (aardvark-dns, or the daemon's [network] dns) decide; else --dns; else the host's.
        List<String> nameservers = !sandbox.nameservers().isEmpty() ? sandbox.nameservers()
                : hostConfig.dns() == null ? List.of() : hostConfig.dns();
        AtomicFiles.write(containerDir.resolve(RESOLV_CONF), resolvConf(hostResolvConf(), nameservers,
                hostConfig.dnsSearch(), hostConfig.dnsOptions()).getBytes(StandardCharsets.UTF_8));
    }

    private static final Path HOST_HOSTS = Path.of("/etc/hosts");
    private static final String DOCKER_HOSTS = """
            127.0.0.1\tlocalhost
            ::1\tlocalhost ip6-localhost ip6-loopback
            fe00::0\tip6-localnet
            ff00::0\tip6-mcastprefix
            ff02::1\tip6-allnodes
            ff02::2\tip6-allrouters
            """;

    /**
     * {@code base}, then {@code ExtraHosts} ({@code name:ip}, {@code host-gateway} standing for {@code hostGateway}),
     * then each of the container's addresses with its hostname, as Docker writes them.
     */
    static String hosts(String base, List<String> extraHosts, String hostGateway, List<String> addresses,
            String hostname) {
        StringBuilder out = new StringBuilder(base);
        if (!base.isEmpty() && !base.endsWith("\n")) {
            out.append('\n');
        }
        for (String extra : extraHosts == null ? List.<String>of() : extraHosts) {
            int colon = extra.indexOf(':');
            if (colon > 0) {
                String address = extra.substring(colon + 1);
                out.append(address.equals(HOST_GATEWAY) ? hostGateway : address).append('\t')
                        .append(extra, 0, colon).append('\n');
            }
        }
        for (String address : addresses) {
            out.append(address).append('\t').append(hostname).append('\n');
        }
        return out.toString();
    }

    /** {@code --add-host NAME:host-gateway}: the host as the containers reach it. */
    public static final String HOST_GATEWAY = "host-gateway";

    /**
     * The host's resolv.conf without loopback nameservers (unreachable from the container's network namespace),
     * falling back to public resolvers like Docker; {@code Dns}, {@code DnsSearch}, {@code DnsOptions} override.
     */
    static String resolvConf(String host, List<String> dns, List<String> search, List<String> options) {
        List<String> nameservers = new ArrayList<>();
        List<String> other = new ArrayList<>();
        for (String line : host.lines().toList()) {
            String trimmed = line.trim();
            if (trimmed.startsWith("nameserver")) {
                String address = trimmed.substring("nameserver".length()).trim();
                if (!address.startsWith("127.") && !address.equals("::1")) {
                    nameservers.add(address);
                }
            } else if ((trimmed.startsWith("search") && isEmpty(search))
                    || (trimmed.startsWith("options") && isEmpty(options))) {
                other.add(trimmed);
            }
        }
        if (!isEmpty(dns)) {
            nameservers = dns;
        } else if (nameservers.isEmpty()) {
            nameservers = FALLBACK_NAMESERVERS;
        }
        StringBuilder out = new StringBuilder();
        nameservers.forEach(ns -> out.append("nameserver ").append(ns).append('\n'));
        other.forEach(line -> out.append(line).append('\n'));
        if (!isEmpty(search)) {
            out.append("search ").append(String.join(" ", search)).append('\n');
        }
        if (!isEmpty(options)) {
            out.append("options ").append(String.join(" ", options)).append('\n');
        }
        return out.toString();
    }

    private static String hostResolvConf() throws IOException {
        if (!Files.exists(HOST_RESOLV_CONF)) {
            return "";
        }
        String host = Files.readString(HOST_RESOLV_CONF);
        if (host.contains("nameserver 127.0.0.53") && Files.exists(RESOLVED_UPSTREAM)) {
            return Files.readString(RESOLVED_UPSTREAM);
        }
        return host;
    }

    private static boolean isEmpty(List<String> list) {
        return list == null || list.isEmpty();
    }
}
