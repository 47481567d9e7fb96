package dev.holdfast.engine.network;

import dev.holdfast.engine.errdefs.DomainException;
import java.util.Map;
import java.util.Set;

/** The driver options of {@code docker network create --opt} that holdfast acts on; any other is refused. */
final class NetworkOptions {
    static final String BRIDGE_NAME = "com.docker.network.bridge.name";
    static final String MTU = "com.docker.network.driver.mtu";
    private static final Set<String> SUPPORTED = Set.of(BRIDGE_NAME, MTU);
    private static final int MAX_INTERFACE_NAME = 15;

    private NetworkOptions() {}

    static void validate(Map<String, String> options) {
        for (Map.Entry<String, String> option : options.entrySet()) {
            if (!SUPPORTED.contains(option.getKey())) {
                throw DomainException.notImplemented("the network option \"" + option.getKey() + "\"");
            }
        }
        String bridge = options.get(BRIDGE_NAME);
        if (bridge != null && (bridge.isEmpty() || bridge.length() > MAX_INTERFACE_NAME
                || !bridge.matches("[A-Za-z0-9_.-]+"))) {
            throw DomainException.invalidParameter("invalid bridge name \"" + bridge + "\": 1 to 15 letters, digits, "
                    + "'.', '-' or '_'");
        }
        String mtu = options.get(MTU);
        if (mtu != null) {
            try {
                int value = Integer.parseInt(mtu);
                if (value < 68 || value > 65535) {
                    throw new NumberFormatException();
                }
            } catch (NumberFormatException e) {
                throw DomainException.invalidParameter("invalid MTU \"" + mtu + "\": a number from 68 to 65535");
            }
        }
    }
}
