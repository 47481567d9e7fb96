package dev.holdfast.engine.network;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;

/**
 * One container's wish for one network, as asked at create or connect: Docker's {@code EndpointSettings}, the part
 * that is configuration (the addresses it got live in {@link Endpoint}).
 *
 * @param ipv4Address the static address ({@code --ip}); empty for one from the network's range
 */
@JsonNaming(PropertyNamingStrategies.UpperCamelCaseStrategy.class)
public record EndpointSettings(List<String> aliases, String ipv4Address, String macAddress) {

    public static EndpointSettings none() {
        return new EndpointSettings(List.of(), "", "");
    }
}
