package dev.holdfast.engine.network;

import dev.holdfast.engine.errdefs.DomainException;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Chooses host ports. Nothing listens on a published port (the kernel's DNAT answers it), so a port is taken when
 * another container of this instance holds it, or when a host process can bind it no more: both are checked.
 */
final class PortAllocator {
    private static final Path EPHEMERAL_RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
    private static final String ANY = "0.0.0.0";

    private PortAllocator() {}

    /** @param taken the live mappings of every container; the result is not in it and not in use on the host */
    static List<PortMapping> allocate(List<PortRequest> requests, List<PortMapping> taken, String endpointName) {
        List<PortMapping> chosen = new ArrayList<>();
        for (PortRequest request : requests) {
            List<PortMapping> inUse = new ArrayList<>(taken);
            inUse.addAll(chosen);
            chosen.add(allocate(request, inUse, endpointName));
        }
        return chosen;
    }

    private static PortMapping allocate(PortRequest request, List<PortMapping> taken, String endpointName) {
        String hostIp = request.hostIp().isEmpty() ? ANY : request.hostIp();
        if (request.dynamic()) {
            int[] range = ephemeralRange();
            int span = range[1] - range[0] + 1;
            int start = ThreadLocalRandom.current().nextInt(span);
            for (int i = 0; i < span; i++) {
                int port = range[0] + (start + i) % span;
                if (!allocated(taken, request.protocol(), hostIp, port) && bindable(request.protocol(), hostIp, port)) {
                    return new PortMapping(request.protocol(), request.containerPort(), hostIp, port);
                }
            }
            throw DomainException.conflict("no free host port for " + request.containerPort() + "/"
                    + request.protocol() + " in " + range[0] + "-" + range[1]);
        }
        for (int port = request.hostPortFirst(); port <= request.hostPortLast(); port++) {
            boolean last = port == request.hostPortLast();
            if (allocated(taken, request.protocol(), hostIp, port)) {
                if (last) {
                    throw DomainException.conflict("driver failed programming external connectivity on endpoint "
                            + endpointName + ": Bind for " + hostIp + ":" + port + " failed: port is already allocated");
                }
                continue;
            }
            if (!bindable(request.protocol(), hostIp, port)) {
                if (last) {
                    throw DomainException.conflict("driver failed programming external connectivity on endpoint "
                            + endpointName + ": Error starting userland proxy: listen " + request.protocol() + "4 "
                            + hostIp + ":" + port + ": bind: address already in use");
                }
                continue;
            }
            return new PortMapping(request.protocol(), request.containerPort(), hostIp, port);
        }
        throw new IllegalStateException("empty port range " + request);
    }

    /** Same protocol and port, and the same address or either on every address. */
    private static boolean allocated(List<PortMapping> taken, String protocol, String hostIp, int port) {
        return taken.stream().anyMatch(m -> m.protocol().equals(protocol) && m.hostPort() == port
                && (m.hostIp().equals(hostIp) || m.hostIp().equals(ANY) || hostIp.equals(ANY)));
    }

    private static boolean bindable(String protocol, String hostIp, int port) {
        try {
            InetSocketAddress address = new InetSocketAddress(InetAddress.getByName(hostIp), port);
            if (protocol.equals("udp")) {
                try (DatagramSocket socket = new DatagramSocket(null)) {
                    socket.bind(address);
                }
            } else {
                try (ServerSocket socket = new ServerSocket()) {
                    socket.bind(address);
                }
            }
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int[] ephemeralRange() {
        try {
            String[] parts = Files.readString(EPHEMERAL_RANGE).trim().split("\\s+");
            return new int[] {Integer.parseInt(parts[0]), Integer.parseInt(parts[1])};
        } catch (IOException | RuntimeException e) {
            return new int[] {32768, 60999};
        }
    }
}
