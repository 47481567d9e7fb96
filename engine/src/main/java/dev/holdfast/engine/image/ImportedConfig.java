package dev.holdfast.engine.image;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.holdfast.engine.api.Json;
import dev.holdfast.engine.api.SystemRoutes;
import java.time.Instant;
import java.util.List;

/** The image config of an imported root filesystem: the requested changes, this host's platform, one layer. */
final class ImportedConfig {
    private final ObjectNode containerConfig;
    private final String message;
    private final Instant created;

    private ImportedConfig(ObjectNode containerConfig, String message, Instant created) {
        this.containerConfig = containerConfig;
        this.message = message;
        this.created = created;
    }

    /** Checks the changes now, so that a bad one fails before the upload is unpacked. */
    static ImportedConfig from(ImportRequest request) {
        ObjectNode config = Json.MAPPER.createObjectNode();
        ConfigChanges.apply(request.changes(), config);
        String message = request.message() == null || request.message().isEmpty()
                ? "Imported from -" : request.message();
        return new ImportedConfig(config, message, Instant.now());
    }

    byte[] build(List<String> diffIds) throws JsonProcessingException {
        String time = Rfc3339.format(created);
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("architecture", hostArchitecture());
        root.put("comment", message);
        root.set("config", containerConfig);
        root.put("created", time);
        root.put("docker_version", SystemRoutes.ENGINE_VERSION);
        ArrayNode history = root.putArray("history");
        history.addObject().put("created", time).put("comment", message);
        root.put("os", "linux");
        ObjectNode rootfs = root.putObject("rootfs");
        rootfs.put("type", "layers");
        ArrayNode ids = rootfs.putArray("diff_ids");
        diffIds.forEach(ids::add);
        return Json.MAPPER.writeValueAsBytes(root);
    }

    /** Go's GOARCH names, which image configs use. */
    static String hostArchitecture() {
        return switch (System.getProperty("os.arch")) {
            case "amd64", "x86_64" -> "amd64";
            case "aarch64" -> "arm64";
            case "arm" -> "arm";
            case "ppc64le" -> "ppc64le";
            case "s390x" -> "s390x";
            case "riscv64" -> "riscv64";
            default -> System.getProperty("os.arch");
        };
    }
}
