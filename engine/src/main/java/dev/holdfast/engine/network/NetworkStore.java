package dev.holdfast.engine.network;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.holdfast.engine.errdefs.DomainException;
import dev.holdfast.engine.store.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

/**
 * The networks: the three predefined ones and the user-defined ones, each of those a JSON file under
 * {@code <data>/networks}, written atomically. Lookup follows Docker: a full name, then a full id, then a unique
 * id prefix.
 */
public final class NetworkStore {
    private static final Logger LOG = Logger.getLogger(NetworkStore.class.getName());
    private static final String SUFFIX = ".json";

    private final Path dir;
    private final ObjectMapper mapper;
    private final Map<String, Network> byId = new ConcurrentHashMap<>();

    private NetworkStore(Path dir, ObjectMapper mapper) {
        this.dir = dir;
        this.mapper = mapper;
    }

    /** Reads every network file; a file that cannot be read is reported and skipped, never fatal to the boot. */
    public static NetworkStore load(Path dataRoot, ObjectMapper mapper, String bridgeDevice, String bridgeSubnet)
            throws IOException {
        NetworkStore store = new NetworkStore(dataRoot.resolve("networks"), mapper);
        Files.createDirectories(store.dir);
        Subnet subnet = Subnet.parse(bridgeSubnet);
        store.put(new Network(predefinedId(Network.DEFAULT_BRIDGE), Network.DEFAULT_BRIDGE, "bridge",
                "0001-01-01T00:00:00Z", bridgeDevice, subnet.toString(), Subnet.format(subnet.firstHost()), "", Map.of(),
                false, false, true, Map.of(), Map.of("com.docker.network.bridge.name", bridgeDevice,
                        "com.docker.network.bridge.default_bridge", "true"), null));
        store.put(new Network(predefinedId(Network.HOST), Network.HOST, "host", "0001-01-01T00:00:00Z", "", "", "",
                "", Map.of(), false, false, true, Map.of(), Map.of(), null));
        store.put(new Network(predefinedId(Network.NONE), Network.NONE, "null", "0001-01-01T00:00:00Z", "", "", "",
                "", Map.of(), false, false, true, Map.of(), Map.of(), null));
        try (DirectoryStream<Path> files = Files.newDirectoryStream(store.dir, "*" + SUFFIX)) {
            for (Path file : files) {
                try {
                    store.put(mapper.readValue(file.toFile(), Network.class));
                } catch (IOException e) {
                    LOG.warning("skipping unreadable network file " + file + ": " + e.getMessage());
                }
            }
        }
        return store;
    }

    private void put(Network network) {
        byId.put(network.id(), network);
    }

    public List<Network> all() {
        return new ArrayList<>(byId.values());
    }

    public Network defaultBridge() {
        return byId.get(predefinedId(Network.DEFAULT_BRIDGE));
    }

    public Optional<Network> find(String nameOrId) {
        if (nameOrId == null || nameOrId.isEmpty()) {
            return Optional.empty();
        }
        for (Network n : byId.values()) {
            if (n.name().equals(nameOrId)) {
                return Optional.of(n);
            }
        }
        Network exact = byId.get(nameOrId);
        if (exact != null) {
            return Optional.of(exact);
        }
        List<Network> prefixed = byId.values().stream().filter(n -> n.id().startsWith(nameOrId)).toList();
        if (prefixed.size() > 1) {
            throw DomainException.invalidParameter("network " + nameOrId + " is ambiguous (" + prefixed.size()
                    + " matches found on name or ID prefix)");
        }
        return prefixed.stream().findFirst();
    }

    public Network get(String nameOrId) {
        return find(nameOrId).orElseThrow(() -> DomainException.notFound("network " + nameOrId + " not found"));
    }

    /** Writes the new network's file, then makes it visible. */
    public void add(Network network) throws IOException {
        AtomicFiles.write(fileOf(network.id()), mapper.writeValueAsBytes(network));
        put(network);
    }

    /** Forgets the network, then deletes its file (a crash in between leaves a file the next boot reads again). */
    public void remove(Network network) throws IOException {
        byId.remove(network.id());
        Files.deleteIfExists(fileOf(network.id()));
        AtomicFiles.syncDirectory(dir);
    }

    private Path fileOf(String id) {
        return dir.resolve(id + SUFFIX);
    }

    /** Stable 64-hex ids for the predefined networks: the sha256 of their names. */
    static String predefinedId(String name) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest(("holdfast network " + name).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
