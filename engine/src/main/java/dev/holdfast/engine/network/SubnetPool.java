package dev.holdfast.engine.network;

import dev.holdfast.engine.errdefs.DomainException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;

/**
 * Subnets for networks created without one: the first block of the configured size in {@code [network] pool} that
 * overlaps no network of this instance and no route of the host (so another instance's bridge, or the host's own
 * networks, are never shadowed).
 */
final class SubnetPool {
    private static final Logger LOG = Logger.getLogger(SubnetPool.class.getName());
    private static final Path ROUTES = Path.of("/proc/net/route");

    private final Subnet pool;
    private final int blockPrefix;

    SubnetPool(Subnet pool, int blockPrefix) {
        if (blockPrefix < pool.prefix() || blockPrefix > 30) {
            throw DomainException.invalidParameter("[network] pool_size /" + blockPrefix + " does not fit in pool "
                    + pool);
        }
        this.pool = pool;
        this.blockPrefix = blockPrefix;
    }

    Subnet next(List<Subnet> inUse) {
        List<Subnet> taken = new ArrayList<>(inUse);
        taken.addAll(hostRoutes());
        long blockSize = 1L << (32 - blockPrefix);
        for (long offset = 0; offset < pool.size(); offset += blockSize) {
            Subnet candidate = new Subnet(pool.address(offset), blockPrefix);
            if (taken.stream().noneMatch(candidate::overlaps)) {
                return candidate;
            }
        }
        throw DomainException.conflict("could not find an available, non-overlapping IPv4 address pool among the "
                + "defaults to assign to the network (pool " + pool + ")");
    }

    /** The host's routed subnets, but not the default route (which overlaps everything). */
    static List<Subnet> hostRoutes() {
        List<Subnet> routes = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(ROUTES).stream().skip(1).toList()) {
                String[] f = line.trim().split("\\s+");
                if (f.length < 8) {
                    continue;
                }
                int destination = Integer.reverseBytes((int) Long.parseLong(f[1], 16));
                int mask = Integer.reverseBytes((int) Long.parseLong(f[7], 16));
                int prefix = Integer.bitCount(mask);
                if (prefix > 0) {
                    routes.add(new Subnet(destination, prefix));
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.warning("reading the host's routes from " + ROUTES + ": " + e.getMessage());
        }
        return routes;
    }
}
