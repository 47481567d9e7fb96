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
        JsonNode root;
        try {
            root = JSON.readTree(spec);
        } catch (IOException e) {
            throw new IllegalArgumentException("spec is not valid JSON: " + firstLine(e.getMessage()));
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("spec is not a JSON object");
        }
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

    private static String firstLine(String message) {
        if (message == null) {
            return "";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}
