package dev.holdfast.engine.network;

import dev.holdfast.engine.errdefs.DomainException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * One port a container asks to publish, from {@code HostConfig.PortBindings} (and {@code -P}: every exposed port):
 * {@code hostIp:[hostPortFirst-hostPortLast]->containerPort/protocol}. A host port of 0 means "any free one".
 */
public record PortRequest(String protocol, int containerPort, String hostIp, int hostPortFirst, int hostPortLast) {
    private static final Set<String> PROTOCOLS = Set.of("tcp", "udp");

    public boolean dynamic() {
        return hostPortFirst == 0;
    }

    /**
     * Reads Docker's port map ({@code {"80/tcp": [{"HostIp": "", "HostPort": "8080"}]}}) and, with
     * {@code publishAll}, adds every exposed port not bound already, on a free host port.
     */
    public static List<PortRequest> parse(Map<String, Object> portBindings, Map<String, Object> exposedPorts,
            boolean publishAll) {
        List<PortRequest> requests = new ArrayList<>();
        Set<String> bound = new TreeSet<>();
        if (portBindings != null) {
            for (Map.Entry<String, Object> entry : portBindings.entrySet()) {
                String[] port = portKey(entry.getKey());
                bound.add(port[0] + "/" + port[1]);
                List<?> bindings = entry.getValue() instanceof List<?> list ? list : List.of();
                if (bindings.isEmpty()) {
                    requests.add(new PortRequest(port[1], Integer.parseInt(port[0]), "", 0, 0));
                }
                for (Object binding : bindings) {
                    Map<?, ?> b = binding instanceof Map<?, ?> m ? m : Map.of();
                    requests.add(of(port, text(b.get("HostIp")), text(b.get("HostPort"))));
                }
            }
        }
        if (publishAll && exposedPorts != null) {
            for (String key : exposedPorts.keySet()) {
                String[] port = portKey(key);
                if (bound.add(port[0] + "/" + port[1])) {
                    requests.add(new PortRequest(port[1], Integer.parseInt(port[0]), "", 0, 0));
                }
            }
        }
        return requests;
    }

    /** Checks an {@code ExposedPorts} key, {@code 80}, {@code 80/tcp} or {@code 53/udp}. */
    public static void validateExposed(Map<String, Object> exposedPorts) {
        if (exposedPorts != null) {
            exposedPorts.keySet().forEach(PortRequest::portKey);
        }
    }

    private static PortRequest of(String[] port, String hostIp, String hostPort) {
        if (!hostIp.isEmpty()) {
            if (hostIp.contains(":")) {
                throw DomainException.notImplemented("publishing on the IPv6 address " + hostIp);
            }
            Subnet.parseAddress(hostIp);
        }
        int first = 0;
        int last = 0;
        if (!hostPort.isEmpty()) {
            int dash = hostPort.indexOf('-');
            first = number(dash < 0 ? hostPort : hostPort.substring(0, dash), hostPort);
            last = dash < 0 ? first : number(hostPort.substring(dash + 1), hostPort);
            if (first == 0 || last < first) {
                throw DomainException.invalidParameter("invalid port range: " + hostPort);
            }
        }
        return new PortRequest(port[1], Integer.parseInt(port[0]), hostIp, first, last);
    }

    /** {@code 80/tcp} as {@code ["80", "tcp"]}; a container port range is expanded by the client, never sent. */
    private static String[] portKey(String key) {
        int slash = key.indexOf('/');
        String number = slash < 0 ? key : key.substring(0, slash);
        String protocol = slash < 0 ? "tcp" : key.substring(slash + 1).toLowerCase();
        if (!PROTOCOLS.contains(protocol)) {
            if (protocol.equals("sctp")) {
                throw DomainException.notImplemented("the port protocol sctp (" + key + ")");
            }
            throw DomainException.invalidParameter("invalid proto: " + protocol);
        }
        int port = number(number, key);
        if (port == 0) {
            throw DomainException.invalidParameter("invalid port specification: \"" + key + "\"");
        }
        return new String[] {String.valueOf(port), protocol};
    }

    private static int number(String text, String whole) {
        try {
            int n = Integer.parseInt(text.trim());
            if (n < 0 || n > 65535) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw DomainException.invalidParameter("invalid port specification: \"" + whole + "\"");
        }
    }

    private static String text(Object value) {
        return value == null ? "" : value.toString().trim();
    }
}
