package dev.holdfast.engine.network;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * One published port as it is live: {@code hostIp:hostPort -> containerPort/protocol}. {@code hostIp} is
 * {@code 0.0.0.0} for every address of the host.
 */
@JsonNaming(PropertyNamingStrategies.UpperCamelCaseStrategy.class)
public record PortMapping(String protocol, int containerPort, String hostIp, int hostPort) {

    /** Docker's key of the port map: {@code 80/tcp}. */
    public String portKey() {
        return containerPort + "/" + protocol;
    }
}
