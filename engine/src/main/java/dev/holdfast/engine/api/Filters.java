package dev.holdfast.engine.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Docker's {@code filters} query parameter: JSON of {@code {"key":["v1","v2"]}}, or the older
 * {@code {"key":{"v1":true}}}. Values of one key are alternatives; different keys must all match.
 */
public record Filters(Map<String, List<String>> values) {
    public static final Filters NONE = new Filters(Map.of());

    public static Filters parse(Optional<String> json, Set<String> allowed) {
        if (json.isEmpty() || json.get().isBlank()) {
            return NONE;
        }
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(json.get());
        } catch (IOException e) {
            throw ApiException.badRequest("invalid filters: " + e.getMessage().lines().findFirst().orElse(""));
        }
        if (root == null || !root.isObject()) {
            throw ApiException.badRequest("invalid filters: expected a JSON object");
        }
        Map<String, List<String>> values = new LinkedHashMap<>();
        for (var field : root.properties()) {
            if (!allowed.contains(field.getKey())) {
                throw ApiException.badRequest("invalid filter '" + field.getKey() + "'");
            }
            List<String> list = new ArrayList<>();
            JsonNode node = field.getValue();
            if (node.isArray()) {
                node.forEach(v -> list.add(v.asText()));
            } else if (node.isObject()) {
                node.properties().forEach(v -> {
                    if (v.getValue().asBoolean()) {
                        list.add(v.getKey());
                    }
                });
            } else {
                list.add(node.asText());
            }
            values.put(field.getKey(), list);
        }
        return new Filters(values);
    }

    public boolean has(String key) {
        return values.containsKey(key) && !values.get(key).isEmpty();
    }

    public List<String> get(String key) {
        return values.getOrDefault(key, List.of());
    }

    /** {@code label} filters: {@code key} (present) or {@code key=value}; all of them must hold. */
    public boolean labelsMatch(Map<String, String> labels) {
        return allLabelsMatch("label", labels);
    }

    /**
     * The prune filters' {@code label} and {@code label!} (dockerd's matchLabels): every {@code label} holds, and
     * unless there is no {@code label!}, not every {@code label!} holds.
     */
    public boolean pruneLabelsMatch(Map<String, String> labels) {
        return allLabelsMatch("label", labels) && !(has("label!") && allLabelsMatch("label!", labels));
    }

    /** Go's {@code Args.MatchKVList}: each value of {@code key}, {@code k} or {@code k=v}, is in {@code labels}. */
    private boolean allLabelsMatch(String key, Map<String, String> labels) {
        Map<String, String> actual = labels == null ? Map.of() : labels;
        for (String wanted : get(key)) {
            int eq = wanted.indexOf('=');
            boolean ok = eq < 0 ? actual.containsKey(wanted)
                    : wanted.substring(eq + 1).equals(actual.get(wanted.substring(0, eq)));
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** Go's {@code filters.Match}: any value, read as a regular expression, found in {@code text}. */
    public boolean matchesAny(String key, String text) {
        if (!has(key)) {
            return true;
        }
        for (String pattern : get(key)) {
            try {
                if (Pattern.compile(pattern).matcher(text).find()) {
                    return true;
                }
            } catch (PatternSyntaxException e) {
                if (text.contains(pattern)) {
                    return true;
                }
            }
        }
        return false;
    }
}
