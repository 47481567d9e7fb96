package dev.holdfast.engine.container;

import com.fasterxml.jackson.databind.JsonNode;
import dev.holdfast.engine.api.ApiException;
import dev.holdfast.engine.api.Json;
import java.io.IOException;

/** The body of {@code POST /containers/create}: Docker's Config at the top level, with HostConfig inside. */
public record CreateRequest(ContainerConfig config, HostConfig hostConfig) {

    /** Reads a create body; a missing body and fields of the wrong type are Docker's 400s. */
    public static CreateRequest parse(JsonNode body) {
        if (body == null || body.isNull() || body.isMissingNode()) {
            throw ApiException.badRequest("config cannot be empty in order to create a container");
        }
        if (!body.isObject()) {
            throw ApiException.badRequest("invalid JSON in request body: expected an object");
        }
        try {
            ContainerConfig config = Json.MAPPER.treeToValue(body, ContainerConfig.class);
            JsonNode host = body.path("HostConfig");
            HostConfig hostConfig = host.isObject() ? Json.MAPPER.treeToValue(host, HostConfig.class) : null;
            return new CreateRequest(config, hostConfig);
        } catch (IOException e) {
            throw ApiException.badRequest("invalid container configuration: " + e.getMessage().lines().findFirst().orElse(""));
        }
    }
}
