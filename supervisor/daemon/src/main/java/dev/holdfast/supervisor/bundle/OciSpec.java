package dev.holdfast.supervisor.bundle;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;

/**
 * The OCI spec of a create request, checked before it becomes config.json. The only change the supervisor makes:
 * a spec without {@code linux.cgroupsPath} gets {@code <cgroup_parent>/<id>}.
 */
public final class OciSpec {
    private static final ObjectMapper JSON = new ObjectMapper();

    private OciSpec() {}

    /**
     * The bytes to store as config.json.
     *
     * @throws IllegalArgumentException when the spec is not a JSON object
     */
    public static byte[] prepare(byte[] spec, String cgroupParent, String id) {
        JsonNode root = parseObject(spec, "spec");
        JsonNode linux = root.get("linux");
        if (linux != null && !linux.isObject()) {
            throw new IllegalArgumentException("spec: linux is not an object");
        }
        JsonNode cgroupsPath = linux == null ? null : linux.get("cgroupsPath");
        if (cgroupsPath != null && cgroupsPath.isTextual() && !cgroupsPath.asText().isEmpty()) {
            return spec;
        }
        ObjectNode linuxNode = linux == null ? ((ObjectNode) root).putObject("linux") : (ObjectNode) linux;
        linuxNode.put("cgroupsPath", ("/".equals(cgroupParent) ? "" : cgroupParent) + "/" + id);
        try {
            return JSON.writeValueAsBytes(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The spec's {@code linux.cgroupsPath} (config.json as {@link #prepare} stored it, so it has one).
     *
     * @throws IllegalArgumentException when the spec is not a JSON object or has no cgroupsPath
     */
    public static String cgroupsPath(byte[] spec) {
        JsonNode path = parseObject(spec, "spec").path("linux").path("cgroupsPath");
        if (!path.isTextual() || path.asText().isEmpty()) {
            throw new IllegalArgumentException("spec: no linux.cgroupsPath");
        }
        return path.asText();
    }

    /**
     * Checks that the spec's {@code process.terminal} is {@code terminal}: the shim's {@code --tty} and the spec
     * must agree, or runc fails in ways that are hard to read.
     *
     * @throws IllegalArgumentException when they disagree or the spec is not a JSON object
     */
    public static void checkTerminal(byte[] spec, boolean terminal) {
        JsonNode root = parseObject(spec, "spec");
        JsonNode process = root.get("process");
        checkProcessTerminal(process == null ? JSON.createObjectNode() : process, "spec: process.terminal",
                terminal);
    }

    /**
     * Checks an exec's OCI process JSON: an object whose {@code terminal} is {@code terminal}.
     *
     * @throws IllegalArgumentException when it is not
     */
    public static void checkExecProcess(byte[] process, boolean terminal) {
        checkProcessTerminal(parseObject(process, "process"), "process.terminal", terminal);
    }

    private static void checkProcessTerminal(JsonNode process, String what, boolean terminal) {
        if (!process.isObject()) {
            throw new IllegalArgumentException(what.substring(0, what.lastIndexOf('.')) + " is not an object");
        }
        boolean inSpec = process.path("terminal").asBoolean(false);
        if (inSpec != terminal) {
            throw new IllegalArgumentException(what + " is " + inSpec + " but terminal is " + terminal
                    + " in the request; they must agree");
        }
    }

    private static JsonNode parseObject(byte[] json, String what) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException(what + " is not valid JSON: " + firstLine(e.getMessage()));
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException(what + " is not a JSON object");
        }
        return root;
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}
