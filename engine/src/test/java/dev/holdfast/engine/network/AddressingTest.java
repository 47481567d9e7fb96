package dev.holdfast.engine.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.holdfast.engine.errdefs.DomainException;
import dev.holdfast.engine.errdefs.ErrorKind;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** Subnets, address allocation and port requests: the pure logic under the network stack. */
class AddressingTest {
    private static Network network(String subnet, String gateway, String ipRange) {
        return new Network("id", "net", "bridge", "2026-01-01T00:00:00Z", "br", subnet, gateway, ipRange,
                Map.of("aux", "10.6.0.9"), false, true, false, Map.of(), Map.of(), null);
    }

    @Test
    void subnetsParseClearHostBitsAndCompare() {
        Subnet s = Subnet.parse("10.1.2.3/24");
        assertEquals("10.1.2.0/24", s.toString());
        assertEquals("10.1.2.1", Subnet.format(s.firstHost()));
        assertEquals("10.1.2.255", Subnet.format(s.broadcast()));
        assertTrue(s.contains(Subnet.parseAddress("10.1.2.200")));
        assertFalse(s.contains(Subnet.parseAddress("10.1.3.1")));
        assertTrue(Subnet.parse("10.0.0.0/8").overlaps(s));
        assertFalse(Subnet.parse("10.1.3.0/24").overlaps(s));
        assertTrue(Subnet.parse("10.1.0.0/16").contains(s));
        for (String bad : List.of("10.1.2.0", "10.1.2/24", "10.1.2.0/33", "300.1.2.0/24", "fd00::/64", "a.b.c.d/8")) {
            assertEquals(ErrorKind.INVALID_PARAMETER,
                    assertThrows(DomainException.class, () -> Subnet.parse(bad)).kind(), bad);
        }
    }

    @Property
    void addressesRoundTrip(@ForAll int address) {
        assertEquals(address, Subnet.parseAddress(Subnet.format(address)));
    }

    @Property
    void allocationNeverRepeatsAnAddressAndStaysInTheRange(@ForAll @IntRange(min = 1, max = 20) int count) {
        Network n = network("10.5.0.0/24", "10.5.0.1", "10.5.0.128/28");
        Set<Integer> used = new HashSet<>();
        for (int i = 0; i < count && i < 14; i++) {
            int address = IpAllocator.allocate(n, used, "");
            assertTrue(Subnet.parse("10.5.0.128/28").contains(address));
            assertTrue(used.add(address), "handed out twice: " + Subnet.format(address));
        }
    }

    @Test
    void allocationSkipsNetworkGatewayAndBroadcastAndHonoursStaticAddresses() {
        Network n = network("10.5.0.0/30", "10.5.0.1", "");
        assertEquals("10.5.0.2", Subnet.format(IpAllocator.allocate(n, Set.of(), "")));
        assertEquals(ErrorKind.CONFLICT, assertThrows(DomainException.class,
                () -> IpAllocator.allocate(n, Set.of(Subnet.parseAddress("10.5.0.2")), "")).kind());
        Network wide = network("10.6.0.0/24", "10.6.0.1", "");
        assertEquals("10.6.0.77", Subnet.format(IpAllocator.allocate(wide, Set.of(), "10.6.0.77")));
        assertEquals(ErrorKind.CONFLICT, assertThrows(DomainException.class,
                () -> IpAllocator.allocate(wide, Set.of(Subnet.parseAddress("10.6.0.77")), "10.6.0.77")).kind());
        assertEquals(ErrorKind.CONFLICT, assertThrows(DomainException.class,
                () -> IpAllocator.allocate(wide, Set.of(), "10.6.0.1")).kind());
        assertEquals(ErrorKind.INVALID_PARAMETER, assertThrows(DomainException.class,
                () -> IpAllocator.allocate(wide, Set.of(), "10.7.0.5")).kind());
        assertEquals(ErrorKind.CONFLICT, assertThrows(DomainException.class,
                () -> IpAllocator.allocate(wide, Set.of(), "10.6.0.9")).kind(), "an auxiliary address");
        Set<Integer> upToEight = new java.util.HashSet<>();
        for (int i = 2; i <= 8; i++) {
            upToEight.add(Subnet.parseAddress("10.6.0." + i));
        }
        assertEquals("10.6.0.10", Subnet.format(IpAllocator.allocate(wide, upToEight, "")));
    }

    @Test
    void portBindingsReadDockersForms() {
        Map<String, Object> bindings = Map.of(
                "80/tcp", List.of(Map.of("HostIp", "127.0.0.1", "HostPort", "8080")),
                "53/udp", List.of(Map.of("HostIp", "", "HostPort", "")),
                "443", List.of(Map.of("HostPort", "9000-9010")));
        Set<PortRequest> parsed = new HashSet<>(PortRequest.parse(bindings, Map.of("22/tcp", Map.of()), true));
        assertEquals(Set.of(
                new PortRequest("tcp", 80, "127.0.0.1", 8080, 8080),
                new PortRequest("udp", 53, "", 0, 0),
                new PortRequest("tcp", 443, "", 9000, 9010),
                new PortRequest("tcp", 22, "", 0, 0)), parsed);
        assertEquals(List.of(), PortRequest.parse(Map.of(), Map.of("22/tcp", Map.of()), false));
    }

    @Test
    void badPortBindingsAreRefusedWithTheirKind() {
        assertEquals(ErrorKind.NOT_IMPLEMENTED, assertThrows(DomainException.class, () -> PortRequest.parse(
                Map.of("80/sctp", List.of()), Map.of(), false)).kind());
        assertEquals(ErrorKind.NOT_IMPLEMENTED, assertThrows(DomainException.class, () -> PortRequest.parse(
                Map.of("80/tcp", List.of(Map.of("HostIp", "::1", "HostPort", "80"))), Map.of(), false)).kind());
        for (String port : List.of("70000", "x", "9010-9000")) {
            assertEquals(ErrorKind.INVALID_PARAMETER, assertThrows(DomainException.class, () -> PortRequest.parse(
                    Map.of("80/tcp", List.of(Map.of("HostPort", port))), Map.of(), false)).kind(), port);
        }
    }

    @Test
    void ipv6SubnetsParseFormatAndAllocate() {
        Ipv6Subnet s = Ipv6Subnet.parse("2001:389::1/64");
        assertEquals("2001:389::/64", s.toString());
        assertEquals("2001:389::f00d", Ipv6Subnet.format(Ipv6Subnet.parseAddress("2001:0389:0:0:0:0:0:F00D")));
        assertEquals("::1", Ipv6Subnet.format(Ipv6Subnet.parseAddress("::1")));
        assertEquals("2001:db8:0:1:1:1:1:1", Ipv6Subnet.format(Ipv6Subnet.parseAddress("2001:db8:0:1:1:1:1:1")));
        assertEquals("2001:db8::1:0:0:1", Ipv6Subnet.format(Ipv6Subnet.parseAddress("2001:db8:0:0:1:0:0:1")));
        assertTrue(s.contains(Ipv6Subnet.parseAddress("2001:389::ffff")));
        assertFalse(s.contains(Ipv6Subnet.parseAddress("2001:38a::1")));
        assertEquals(ErrorKind.INVALID_PARAMETER, assertThrows(DomainException.class,
                () -> Ipv6Subnet.parseAddress("example.com")).kind());
        Network dual = new Network("id", "net", "bridge", "2026-01-01T00:00:00Z", "br", "10.9.0.0/24", "10.9.0.1", "",
                Map.of(), false, true, false, Map.of(), Map.of(), new Network.Ipv6("2001:389::/64", "2001:389::1", ""));
        assertEquals("2001:389::2", Ipv6Subnet.format(IpAllocator.allocate6(dual, Set.of(), "")));
        assertEquals("2001:389::3", Ipv6Subnet.format(IpAllocator.allocate6(dual,
                Set.of(Ipv6Subnet.parseAddress("2001:389::2")), "")));
        assertEquals(ErrorKind.CONFLICT, assertThrows(DomainException.class,
                () -> IpAllocator.allocate6(dual, Set.of(), "2001:389::1")).kind());
    }

    @Test
    void subnetPoolSkipsWhatIsTaken() {
        SubnetPool pool = new SubnetPool(Subnet.parse("10.250.0.0/16"), 24);
        Subnet first = pool.next(List.of());
        Subnet second = pool.next(List.of(first));
        assertFalse(first.overlaps(second));
        assertTrue(Subnet.parse("10.250.0.0/16").contains(second));
    }
}
