package dev.holdfast.engine.network;

import dev.holdfast.engine.errdefs.DomainException;
import java.math.BigInteger;
import java.util.Set;

/** Picks a container's address on a network: the one it asked for, or the lowest free one of the range. */
final class IpAllocator {
    private IpAllocator() {}

    /**
     * @param used addresses live on this network (the gateway is never handed out either)
     * @param requested a static address ({@code --ip}) or empty
     */
    static int allocate(Network network, Set<Integer> used, String requested) {
        Subnet subnet = network.parsedSubnet();
        int gateway = Subnet.parseAddress(network.gateway());
        if (requested != null && !requested.isEmpty()) {
            int address = Subnet.parseAddress(requested);
            if (!subnet.contains(address) || address == subnet.network() || address == subnet.broadcast()) {
                throw DomainException.invalidParameter("requested address " + requested + " is not in the subnet "
                        + subnet + " of network " + network.name());
            }
            if (address == gateway || used.contains(address) || auxiliary(network).contains(address)) {
                throw DomainException.conflict("Address already in use: " + requested + " on network "
                        + network.name());
            }
            return address;
        }
        Subnet range = network.allocationRange();
        Set<Integer> reserved = auxiliary(network);
        for (long offset = 0; offset < range.size(); offset++) {
            int candidate = range.address(offset);
            if (candidate == subnet.network() || candidate == subnet.broadcast() || candidate == gateway
                    || used.contains(candidate) || reserved.contains(candidate)) {
                continue;
            }
            return candidate;
        }
        throw DomainException.conflict("no available IPv4 addresses on network " + network.name() + " ("
                + range + ")");
    }

    /** The IPv6 counterpart: the asked address, or the lowest free one of the range (after the network address). */
    static BigInteger allocate6(Network network, Set<BigInteger> used, String requested) {
        Ipv6Subnet subnet = network.ipv6().parsedSubnet();
        BigInteger gateway = Ipv6Subnet.parseAddress(network.ipv6().gateway());
        if (requested != null && !requested.isEmpty()) {
            BigInteger address = Ipv6Subnet.parseAddress(requested);
            if (!subnet.contains(address) || address.equals(subnet.network())) {
                throw DomainException.invalidParameter("requested address " + requested + " is not in the subnet "
                        + subnet + " of network " + network.name());
            }
            if (address.equals(gateway) || used.contains(address)) {
                throw DomainException.conflict("Address already in use: " + requested + " on network "
                        + network.name());
            }
            return address;
        }
        Ipv6Subnet range = network.ipv6().allocationRange();
        for (long offset = 0; offset < range.searchableSize(); offset++) {
            BigInteger candidate = range.address(offset);
            if (!candidate.equals(subnet.network()) && !candidate.equals(gateway) && !used.contains(candidate)) {
                return candidate;
            }
        }
        throw DomainException.conflict("no available IPv6 addresses on network " + network.name() + " (" + range
                + ")");
    }

    private static Set<Integer> auxiliary(Network network) {
        return network.auxiliaryAddresses() == null ? Set.of() : network.auxiliaryAddresses().values().stream()
                .map(Subnet::parseAddress).collect(java.util.stream.Collectors.toSet());
    }
}
