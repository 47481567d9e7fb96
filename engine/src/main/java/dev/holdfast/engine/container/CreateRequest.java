package dev.holdfast.engine.container;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.type.LogicalType;
import dev.holdfast.engine.api.ApiException;
import dev.holdfast.engine.api.Json;

/** The body of {@code POST /containers/create}: Docker's Config at the top level, with HostConfig inside. */
public record CreateRequest(ContainerConfig config, HostConfig hostConfig, NetworkingConfig networkingConfig) {
    /**
     * Decodes like Go's encoding/json into Docker's structs: a value of the wrong type is an error, never converted
     * (a number is no string, a string no list); only Cmd and Entrypoint, Docker's StrSlice, take a lone string.
     */
    private static final ObjectMapper STRICT = strictMapper();

    /** Reads a create body; a missing body and fields of the wrong type are Docker's 400s. */
    public static CreateRequest parse(JsonNode body) {
        if (body == null || body.isNull() || body.isMissingNode()) {
            throw ApiException.badRequest("config cannot be empty in order to create a container");
        }
        if (!body.isObject()) {
            throw ApiException.badRequest("invalid JSON in request body: expected an object");
        }
        CreateFields.refuseUnsupported(body);
        ContainerConfig config = decode(body, "", ContainerConfig.class);
        JsonNode host = body.path("HostConfig");
        if (!host.isMissingNode() && !host.isNull() && !host.isObject()) {
            throw ApiException.badRequest("invalid container configuration: HostConfig must be an object");
        }
        HostConfig hostConfig = host.isObject() ? decode(host, "HostConfig", HostConfig.class) : null;
        JsonNode networking = body.path("NetworkingConfig");
        NetworkingConfig networkingConfig = networking.isObject()
                ? decode(networking, "NetworkingConfig", NetworkingConfig.class) : NetworkingConfig.empty();
        return new CreateRequest(config, hostConfig, networkingConfig);
    }

    private static <T> T decode(JsonNode part, String field, Class<T> type) {
        try {
            return STRICT.treeToValue(part, type);
        } catch (JsonProcessingException e) {
            throw ApiException.badRequest("invalid container configuration: " + Json.describe(e, field));
        }
    }

    private static ObjectMapper strictMapper() {
        ObjectMapper mapper = Json.MAPPER.copy()
                .configure(DeserializationFeature.ACCEPT_SINGLE_VALUE_AS_ARRAY, false)
                .configure(MapperFeature.ALLOW_COERCION_OF_SCALARS, false);
        for (CoercionInputShape scalar : new CoercionInputShape[] {CoercionInputShape.Integer, CoercionInputShape.Float,
                CoercionInputShape.Boolean}) {
            mapper.coercionConfigFor(LogicalType.Textual).setCoercion(scalar, CoercionAction.Fail);
        }
        return mapper;
    }
}
