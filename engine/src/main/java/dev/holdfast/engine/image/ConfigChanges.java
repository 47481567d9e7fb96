package dev.holdfast.engine.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.holdfast.engine.api.Json;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The Dockerfile instructions {@code docker import --change} and {@code docker commit --change} accept, applied to
 * an image's container config: CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, ONBUILD, STOPSIGNAL, USER, VOLUME, WORKDIR,
 * in JSON (exec) or shell form. Variable substitution is not done.
 */
final class ConfigChanges {
    private ConfigChanges() {}

    static void apply(List<String> changes, ObjectNode config) {
        for (String change : changes) {
            for (String line : change.split("\n")) {
                String trimmed = line.strip();
                if (!trimmed.isEmpty() && !trimmed.startsWith("#")) {
                    applyOne(trimmed, config);
                }
            }
        }
    }

    private static void applyOne(String instruction, ObjectNode config) {
        String[] split = instruction.split("\\s+", 2);
        String keyword = split[0].toLowerCase(Locale.ROOT);
        String args = split.length > 1 ? split[1].strip() : "";
        switch (keyword) {
            case "cmd" -> config.set("Cmd", command(args));
            case "entrypoint" -> config.set("Entrypoint", command(args));
            case "env" -> env(args, config);
            case "expose" -> expose(args, config);
            case "label" -> label(args, config);
            case "onbuild" -> arrayField(config, "OnBuild").add(required(keyword, args));
            case "stopsignal" -> config.put("StopSignal", required(keyword, args));
            case "user" -> config.put("User", required(keyword, args));
            case "volume" -> volume(args, config);
            case "workdir" -> config.put("WorkingDir", workdir(required(keyword, args), config.path("WorkingDir").asText("")));
            default -> throw ImageException.invalid(keyword + " is not a valid change command");
        }
    }

    /** Exec form {@code ["a","b"]} as is; shell form runs through {@code /bin/sh -c}. */
    private static ArrayNode command(String args) {
        List<String> exec = jsonArray(args);
        ArrayNode out = Json.MAPPER.createArrayNode();
        if (exec != null) {
            exec.forEach(out::add);
        } else if (!args.isEmpty()) {
            out.add("/bin/sh").add("-c").add(args);
        }
        return out;
    }

    private static void env(String args, ObjectNode config) {
        List<String> words = ShellWords.split(args);
        if (words.isEmpty()) {
            throw ImageException.invalid("ENV requires at least one argument");
        }
        List<String[]> pairs = new ArrayList<>();
        if (!words.get(0).contains("=")) {
            // Legacy form "ENV NAME value with spaces".
            String[] legacy = args.split("\\s+", 2);
            if (legacy.length < 2) {
                throw ImageException.invalid("ENV must have two arguments");
            }
            pairs.add(new String[] {legacy[0], legacy[1].strip()});
        } else {
            for (String word : words) {
                pairs.add(keyValue("ENV", word));
            }
        }
        ArrayNode env = arrayField(config, "Env");
        for (String[] pair : pairs) {
            for (int i = env.size() - 1; i >= 0; i--) {
                if (env.get(i).asText().startsWith(pair[0] + "=")) {
                    env.remove(i);
                }
            }
            env.add(pair[0] + "=" + pair[1]);
        }
    }

    private static void label(String args, ObjectNode config) {
        List<String> words = ShellWords.split(args);
        if (words.isEmpty()) {
            throw ImageException.invalid("LABEL requires at least one argument");
        }
        ObjectNode labels = objectField(config, "Labels");
        for (String word : words) {
            String[] pair = keyValue("LABEL", word);
            labels.put(pair[0], pair[1]);
        }
    }

    private static void expose(String args, ObjectNode config) {
        List<String> ports = ShellWords.split(args);
        if (ports.isEmpty()) {
            throw ImageException.invalid("EXPOSE requires at least one argument");
        }
        ObjectNode exposed = objectField(config, "ExposedPorts");
        for (String port : ports) {
            String[] parts = port.split("/", 2);
            String proto = parts.length > 1 ? parts[1].toLowerCase(Locale.ROOT) : "tcp";
            if (!parts[0].matches("\\d{1,5}(-\\d{1,5})?") || !proto.matches("tcp|udp|sctp")) {
                throw ImageException.invalid("invalid containerPort: " + port);
            }
            String[] range = parts[0].split("-");
            int first = Integer.parseInt(range[0]);
            int last = range.length > 1 ? Integer.parseInt(range[1]) : first;
            if (first < 1 || last > 65535 || last < first) {
                throw ImageException.invalid("invalid containerPort: " + port);
            }
            for (int p = first; p <= last; p++) {
                exposed.putObject(p + "/" + proto);
            }
        }
    }

    private static void volume(String args, ObjectNode config) {
        List<String> paths = jsonArray(args);
        if (paths == null) {
            paths = ShellWords.split(args);
        }
        if (paths.isEmpty()) {
            throw ImageException.invalid("VOLUME requires at least one argument");
        }
        ObjectNode volumes = objectField(config, "Volumes");
        for (String path : paths) {
            if (path.isBlank()) {
                throw ImageException.invalid("VOLUME specified can not be an empty string");
            }
            volumes.putObject(path);
        }
    }

    /** A relative WORKDIR continues the current one, as in a Dockerfile. */
    static String workdir(String dir, String current) {
        String joined = dir.startsWith("/") ? dir : (current.isEmpty() ? "/" : current) + "/" + dir;
        List<String> parts = new ArrayList<>();
        for (String part : joined.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                if (!parts.isEmpty()) {
                    parts.remove(parts.size() - 1);
                }
            } else {
                parts.add(part);
            }
        }
        return "/" + String.join("/", parts);
    }

    private static String[] keyValue(String instruction, String word) {
        int eq = word.indexOf('=');
        if (eq < 0) {
            throw ImageException.invalid("Syntax error - can't find = in \"" + word + "\". Must be of the form: name=value");
        }
        if (eq == 0) {
            throw ImageException.invalid(instruction + " names can not be blank");
        }
        return new String[] {word.substring(0, eq), word.substring(eq + 1)};
    }

    private static String required(String keyword, String args) {
        if (args.isEmpty()) {
            throw ImageException.invalid(keyword.toUpperCase(Locale.ROOT) + " requires exactly one argument");
        }
        return args;
    }

    /** The strings of a JSON array, or null when {@code args} is not one (then it is shell form). */
    private static List<String> jsonArray(String args) {
        if (!args.startsWith("[")) {
            return null;
        }
        try {
            JsonNode node = Json.MAPPER.readTree(args);
            if (node == null || !node.isArray()) {
                return null;
            }
            List<String> out = new ArrayList<>();
            for (JsonNode item : node) {
                if (!item.isTextual()) {
                    return null;
                }
                out.add(item.asText());
            }
            return out;
        } catch (IOException e) {
            return null;
        }
    }

    private static ArrayNode arrayField(ObjectNode config, String name) {
        return config.path(name).isArray() ? (ArrayNode) config.get(name) : config.putArray(name);
    }

    private static ObjectNode objectField(ObjectNode config, String name) {
        return config.path(name).isObject() ? (ObjectNode) config.get(name) : config.putObject(name);
    }
}
