package dev.holdfast.engine.network;

import dev.holdfast.engine.errdefs.DomainException;

/**
 * An IPv4 subnet such as {@code 10.88.0.0/16}. Addresses are ints (unsigned arithmetic where it matters), so that
 * ranges and overlaps are plain comparisons.
 */
public record Subnet(int network, int prefix) {

    public Subnet {
        if (prefix < 0 || prefix > 32) {
            throw DomainException.invalidParameter("invalid prefix length /" + prefix);
        }
        network = network & mask(prefix);
    }

    /** Parses {@code a.b.c.d/n}; host bits are cleared, as Docker does ({@code 10.1.2.3/24} is 10.1.2.0/24). */
    public static Subnet parse(String cidr) {
        int slash = cidr.indexOf('/');
        if (slash < 0) {
            throw DomainException.invalidParameter("invalid CIDR address: " + cidr);
        }
        int prefix;
        try {
            prefix = Integer.parseInt(cidr.substring(slash + 1));
        } catch (NumberFormatException e) {
            throw DomainException.invalidParameter("invalid CIDR address: " + cidr);
        }
        if (prefix < 0 || prefix > 32) {
            throw DomainException.invalidParameter("invalid CIDR address: " + cidr);
        }
        return new Subnet(parseAddress(cidr.substring(0, slash)), prefix);
    }

    /** Parses a dotted-quad IPv4 address; anything else (IPv6 too) is an invalid parameter. */
    public static int parseAddress(String text) {
        String[] parts = text.split("\\.", -1);
        if (parts.length != 4) {
            throw DomainException.invalidParameter("invalid IPv4 address: " + text);
        }
        int value = 0;
        for (String part : parts) {
            if (part.isEmpty() || part.length() > 3 || !part.chars().allMatch(Character::isDigit)) {
                throw DomainException.invalidParameter("invalid IPv4 address: " + text);
            }
            int octet = Integer.parseInt(part);
            if (octet > 255) {
                throw DomainException.invalidParameter("invalid IPv4 address: " + text);
            }
            value = (value << 8) | octet;
        }
        return value;
    }

    public static String format(int address) {
        return ((address >>> 24) & 0xff) + "." + ((address >>> 16) & 0xff) + "." + ((address >>> 8) & 0xff) + "."
                + (address & 0xff);
    }

    private static int mask(int prefix) {
        return prefix == 0 ? 0 : -1 << (32 - prefix);
    }

    public boolean contains(int address) {
        return (address & mask(prefix)) == network;
    }

    public boolean contains(Subnet other) {
        return other.prefix >= prefix && contains(other.network);
    }

    public boolean overlaps(Subnet other) {
        return contains(other.network) || other.contains(network);
    }

    /** How many addresses the subnet spans (2^(32-prefix)), as a long so that /0 fits. */
    public long size() {
        return 1L << (32 - prefix);
    }

    /** The address at {@code offset} from the network address. */
    public int address(long offset) {
        return (int) (Integer.toUnsignedLong(network) + offset);
    }

    /** The first host address: Docker's default gateway. */
    public int firstHost() {
        return address(1);
    }

    /** The broadcast address, which is never handed out. */
    public int broadcast() {
        return address(size() - 1);
    }

    @Override
    public String toString() {
        return format(network) + "/" + prefix;
    }
}
