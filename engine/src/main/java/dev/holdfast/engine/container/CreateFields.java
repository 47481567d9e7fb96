package dev.holdfast.engine.container;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.holdfast.engine.errdefs.DomainException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The fields of the API's {@code ContainerConfig} and {@code HostConfig} that holdfast does not implement. Each is
 * refused when a request sets it to anything but its default, so that a client never believes it got a limit, a
 * namespace or a device that it did not get; inspect echoes each with its default, as dockerd shows it. Every
 * other field of the two is implemented (docs/create-options.md keeps the table; CreateFieldsTest walks the spec).
 */
public final class CreateFields {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** Config fields refused when set, with the value inspect shows. */
    static final Map<String, JsonNode> REFUSED_CONFIG = ordered(
            "ArgsEscaped", NODES.booleanNode(false),
            "NetworkDisabled", NODES.booleanNode(false),
            "OnBuild", NODES.nullNode(),
            "Shell", NODES.nullNode());

    /** HostConfig fields refused when set, with the value inspect shows. */
    static final Map<String, JsonNode> REFUSED_HOST_CONFIG = ordered(
            "Cgroup", NODES.textNode(""),
            "CpuCount", NODES.numberNode(0),
            "CpuPercent", NODES.numberNode(0),
            "CpuRealtimePeriod", NODES.numberNode(0),
            "CpuRealtimeRuntime", NODES.numberNode(0),
            "DeviceRequests", NODES.nullNode(),
            "IOMaximumBandwidth", NODES.numberNode(0),
            "IOMaximumIOps", NODES.numberNode(0),
            "KernelMemoryTCP", NODES.numberNode(0),
            "StorageOpt", NODES.nullNode(),
            "UsernsMode", NODES.textNode(""));

    /** Values that mean "the default" although they are not empty: what dockerd itself accepts as no change. */
    private static final Map<String, Set<String>> DEFAULT_WORDS = Map.of("UsernsMode", Set.of("host"));

    private CreateFields() {}

    /** 400 naming the first field of a create body that holdfast would otherwise ignore. */
    public static void refuseUnsupported(JsonNode createBody) {
        refuse("Config", createBody, REFUSED_CONFIG);
        refuse("HostConfig", createBody.path("HostConfig"), REFUSED_HOST_CONFIG);
    }

    /** The same for a {@code docker update} body, which carries HostConfig's resource fields at its top level. */
    public static void refuseUnsupportedUpdate(JsonNode updateBody, Set<String> implemented) {
        updateBody.fieldNames().forEachRemaining(field -> {
            if (!implemented.contains(field) && !isDefault(field, updateBody.get(field))) {
                throw DomainException.notImplemented("updating HostConfig." + field);
            }
        });
    }

    /** Inspect's Config: what holdfast keeps, plus every refused field at its default. */
    public static ObjectNode echoConfig(ObjectNode config) {
        REFUSED_CONFIG.forEach(config::putIfAbsent);
        return config;
    }

    /** Inspect's HostConfig: what holdfast keeps, plus every refused field at its default. */
    public static ObjectNode echoHostConfig(ObjectNode hostConfig) {
        REFUSED_HOST_CONFIG.forEach(hostConfig::putIfAbsent);
        return hostConfig;
    }

    private static void refuse(String section, JsonNode object, Map<String, JsonNode> refused) {
        if (!object.isObject()) {
            return;
        }
        for (String field : refused.keySet()) {
            if (object.has(field) && !isDefault(field, object.get(field))) {
                throw DomainException.notImplemented(section + "." + field);
            }
        }
    }

    /** Go's zero values (null, false, 0, "", empty list or map) and the field's default words. */
    static boolean isDefault(String field, JsonNode value) {
        return value == null || value.isNull()
                || (value.isBoolean() && !value.booleanValue())
                || (value.isNumber() && value.asDouble() == 0)
                || (value.isTextual() && (value.textValue().isEmpty()
                        || DEFAULT_WORDS.getOrDefault(field, Set.of()).contains(value.textValue())))
                || (value.isContainerNode() && value.isEmpty());
    }

    private static Map<String, JsonNode> ordered(Object... fieldsAndDefaults) {
        Map<String, JsonNode> map = new LinkedHashMap<>();
        for (int i = 0; i < fieldsAndDefaults.length; i += 2) {
            map.put((String) fieldsAndDefaults[i], (JsonNode) fieldsAndDefaults[i + 1]);
        }
        return map;
    }
}
