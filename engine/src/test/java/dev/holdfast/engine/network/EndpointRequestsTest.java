package dev.holdfast.engine.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.holdfast.engine.container.NetworkingConfig;
import dev.holdfast.engine.errdefs.DomainException;
import dev.holdfast.engine.errdefs.ErrorKind;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Docker's rules for what a container may ask of a network, checked before anything is recorded. */
class EndpointRequestsTest {
    private static final Network USER = new Network("u1", "app", "bridge", "2026-01-01T00:00:00Z", "br-1",
            "10.7.0.0/24", "10.7.0.1", "", Map.of(), false, true, false, Map.of(), Map.of(), null);
    private static final Network DEFAULT = new Network("b1", "bridge", "bridge", "0001-01-01T00:00:00Z", "br-0",
            "10.8.0.0/24", "10.8.0.1", "", Map.of(), false, false, true, Map.of(), Map.of(), null);

    private static NetworkingConfig.EndpointConfig endpoint(List<String> aliases, String ip, List<String> links,
            List<String> linkLocal) {
        return new NetworkingConfig.EndpointConfig(new NetworkingConfig.IpamConfig(ip, null, linkLocal), links,
                aliases, null, Map.of("com.example.opt", "on"), null);
    }

    private static ErrorKind refusal(Network n, NetworkingConfig.EndpointConfig asked, String mac) {
        return assertThrows(DomainException.class, () -> EndpointRequests.settings(n, asked, mac)).kind();
    }

    @Test
    void aUserNetworkTakesAliasesAStaticAddressLinksAndLinkLocalAddresses() {
        EndpointSettings s = EndpointRequests.settings(USER, endpoint(List.of("db"), "10.7.0.9",
                List.of("/upstream:/me/up", "other"), List.of("169.254.1.1")), "02:42:ac:11:00:02");
        assertEquals(new EndpointSettings(List.of("db"), "10.7.0.9", "02:42:ac:11:00:02", List.of("169.254.1.1"),
                List.of("upstream:up", "other:other"), Map.of("com.example.opt", "on"), ""), s);
    }

    @Test
    void theDefaultBridgeRefusesWhatOnlyUserNetworksHave() {
        assertEquals(ErrorKind.INVALID_PARAMETER, refusal(DEFAULT, endpoint(List.of("db"), null, null, null), ""));
        assertEquals(ErrorKind.INVALID_PARAMETER, refusal(DEFAULT, endpoint(null, "10.8.0.9", null, null), ""));
        assertEquals(ErrorKind.NOT_IMPLEMENTED, refusal(DEFAULT, endpoint(null, null, List.of("x:y"), null), ""));
    }

    @Test
    void badAddressesAndMacsAreInvalidParameters() {
        assertEquals(ErrorKind.INVALID_PARAMETER, refusal(USER, endpoint(null, "10.9.0.9", null, null), ""));
        assertEquals(ErrorKind.INVALID_PARAMETER, refusal(USER, endpoint(null, "10.7.0", null, null), ""));
        assertEquals(ErrorKind.INVALID_PARAMETER, refusal(USER, endpoint(null, null, null, List.of("10.7.0.5")), ""));
        assertEquals(ErrorKind.INVALID_PARAMETER, refusal(USER, null, "02:42:zz:11:00:02"));
        NetworkingConfig.EndpointConfig ipv6 = new NetworkingConfig.EndpointConfig(
                new NetworkingConfig.IpamConfig(null, "2001:db8::5", null), null, null, null, null, null);
        assertEquals(ErrorKind.INVALID_PARAMETER, refusal(USER, ipv6, ""), "IPv6 on a network without it");
    }

    @Test
    void linksAreNormalizedOnce() {
        assertEquals(List.of("web:web", "db:data"),
                EndpointRequests.normalizedLinks(List.of("/web", "db:data", "/db:/me/data")));
    }
}
