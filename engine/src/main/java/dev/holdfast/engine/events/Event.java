package dev.holdfast.engine.events;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One Docker event: {@code type} is "container" or "image", {@code action} "create", "start", "die"…, the actor
 * its id and attributes (image, name, labels, exitCode, signal).
 */
public record Event(String type, String action, String actorId, Map<String, String> attributes, Instant time) {

    /** Docker's JSON form, with the legacy {@code status}/{@code id}/{@code from} fields older clients read. */
    public Map<String, Object> toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        if (type.equals("container") || type.equals("image")) {
            json.put("status", action);
            json.put("id", actorId);
            if (attributes.containsKey("image")) {
                json.put("from", attributes.get("image"));
            }
        }
        json.put("Type", type);
        json.put("Action", action);
        json.put("Actor", Map.of("ID", actorId, "Attributes", attributes));
        json.put("scope", "local");
        json.put("time", time.getEpochSecond());
        json.put("timeNano", time.getEpochSecond() * 1_000_000_000L + time.getNano());
        return json;
    }
}
