package dev.holdfast.engine.network;

import dev.holdfast.engine.errdefs.DomainException;
import java.math.BigInteger;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/** An IPv6 subnet such as {@code 2001:db8::/64}; addresses are unsigned 128-bit numbers. */
public record Ipv6Subnet(BigInteger network, int prefix) {
    private static final BigInteger ALL_ONES = BigInteger.ONE.shiftLeft(128).subtract(BigInteger.ONE);

    public Ipv6Subnet {
        if (prefix < 0 || prefix > 128) {
            throw DomainException.invalidParameter("invalid IPv6 prefix length /" + prefix);
        }
        network = network.and(mask(prefix));
    }

    public static Ipv6Subnet parse(String cidr) {
        int slash = cidr.indexOf('/');
        if (slash < 0) {
            throw DomainException.invalidParameter("invalid CIDR address: " + cidr);
        }
        try {
            return new Ipv6Subnet(parseAddress(cidr.substring(0, slash)), Integer.parseInt(cidr.substring(slash + 1)));
        } catch (NumberFormatException e) {
            throw DomainException.invalidParameter("invalid CIDR address: " + cidr);
        }
    }

    /** Parses a textual IPv6 address (never a host name: only hex digits, colons and dots are accepted). */
    public static BigInteger parseAddress(String text) {
        if (!text.contains(":") || !text.matches("[0-9A-Fa-f:.]+")) {
            throw DomainException.invalidParameter("invalid IPv6 address: " + text);
        }
        try {
            InetAddress address = InetAddress.getByName(text);
            if (!(address instanceof Inet6Address)) {
                throw DomainException.invalidParameter("invalid IPv6 address: " + text);
            }
            return new BigInteger(1, address.getAddress());
        } catch (UnknownHostException e) {
            throw DomainException.invalidParameter("invalid IPv6 address: " + text);
        }
    }

    /** RFC 5952 text: lower case, no leading zeros, the longest run of two or more zero groups as {@code ::}. */
    public static String format(BigInteger address) {
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = address.shiftRight(16 * (7 - i)).intValue() & 0xffff;
        }
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < 8; ) {
            if (groups[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && groups[j] == 0) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = j;
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                out.append("::");
                i += bestLength - 1;
                continue;
            }
            if (!out.isEmpty() && out.charAt(out.length() - 1) != ':') {
                out.append(':');
            }
            out.append(Integer.toHexString(groups[i]));
        }
        return out.toString();
    }

    private static BigInteger mask(int prefix) {
        return ALL_ONES.shiftLeft(128 - prefix).and(ALL_ONES);
    }

    public boolean contains(BigInteger address) {
        return address.and(mask(prefix)).equals(network);
    }

    public boolean contains(Ipv6Subnet other) {
        return other.prefix >= prefix && contains(other.network);
    }

    public boolean overlaps(Ipv6Subnet other) {
        return contains(other.network) || other.contains(network);
    }

    public BigInteger address(long offset) {
        return network.add(BigInteger.valueOf(offset));
    }

    /** How many addresses to try when allocating: the whole subnet, capped (a /64 is never exhausted by search). */
    public long searchableSize() {
        return 128 - prefix >= 62 ? Long.MAX_VALUE : 1L << (128 - prefix);
    }

    @Override
    public String toString() {
        return format(network) + "/" + prefix;
    }
}
