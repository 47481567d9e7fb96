package dev.holdfast.engine.api;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The predefined networks {@code bridge}, {@code host} and {@code none}, read-only. Clients look them up before
 * anything else (Testcontainers asks for the bridge's gateway); containers are not yet attached to a bridge.
 */
public final class NetworkRoutes {
    private final List<Map<String, Object>> networks;

    /** @param bridgeName the host bridge from {@code [network] bridge}; @param subnet {@code [network] subnet} */
    public NetworkRoutes(String bridgeName, String subnet) {
        this.networks = List.of(
                network("bridge", "bridge", Map.of("com.docker.network.bridge.name", bridgeName),
                        List.of(Map.of("Subnet", subnet, "Gateway", gateway(subnet)))),
                network("host", "host", Map.of(), List.of()),
                network("none", "null", Map.of(), List.of()));
    }

    public void register(Router router) {
        router.get("/networks", request -> Reply.ok(networks));
        router.get("/networks/{id}", request -> Reply.ok(find(request.pathParam("id"))
                .orElseThrow(() -> ApiException.notFound("network " + request.pathParam("id") + " not found"))));
    }

    private Optional<Map<String, Object>> find(String nameOrId) {
        return networks.stream()
                .filter(n -> n.get("Name").equals(nameOrId) || ((String) n.get("Id")).startsWith(nameOrId))
                .findFirst();
    }

    private static Map<String, Object> network(String name, String driver, Map<String, String> options,
            List<Map<String, String>> ipam) {
        Map<String, Object> n = new LinkedHashMap<>();
        n.put("Name", name);
        n.put("Id", NetworkIds.of(name));
        n.put("Created", "0001-01-01T00:00:00Z");
        n.put("Scope", "local");
        n.put("Driver", driver);
        n.put("EnableIPv6", false);
        n.put("IPAM", Map.of("Driver", "default", "Options", Map.of(), "Config", ipam));
        n.put("Internal", false);
        n.put("Attachable", false);
        n.put("Ingress", false);
        n.put("ConfigFrom", Map.of("Network", ""));
        n.put("ConfigOnly", false);
        n.put("Containers", Map.of());
        n.put("Options", options);
        n.put("Labels", Map.of());
        return n;
    }

    /** The first host address of an IPv4 subnet such as {@code 10.88.0.0/16}: {@code 10.88.0.1}. */
    static String gateway(String subnet) {
        String[] octets = subnet.substring(0, subnet.indexOf('/')).split("\\.");
        return octets[0] + "." + octets[1] + "." + octets[2] + "." + (Integer.parseInt(octets[3]) + 1);
    }

    /** Stable 64-hex ids for the predefined networks: the sha256 of their names. */
    private static final class NetworkIds {
        static String of(String name) {
            try {
                byte[] digest = java.security.MessageDigest.getInstance("SHA-256")
                        .digest(("holdfast network " + name).getBytes(java.nio.charset.StandardCharsets.UTF_8));
                return java.util.HexFormat.of().formatHex(digest);
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
