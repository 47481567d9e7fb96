package dev.holdfast.bench.api;

import dev.holdfast.bench.harness.Errors;
import dev.holdfast.bench.json.Json;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** One answer of the Docker API: status and body bytes. */
public record Response(int status, byte[] body) {
    public String text() {
        return new String(body, StandardCharsets.UTF_8);
    }

    public Object json() {
        return Json.parse(text());
    }

    /** This answer when its status is one of {@code ok}; otherwise an exception with the daemon's message. */
    public Response expect(int... ok) {
        for (int s : ok) {
            if (s == status) {
                return this;
            }
        }
        String msg = text().strip();
        try {
            Object j = Json.parse(msg);
            if (j instanceof Map<?, ?> m && m.get("message") instanceof String s) {
                msg = s;
            }
        } catch (RuntimeException ignored) {
            // not JSON: keep the raw text
        }
        throw new IllegalStateException("HTTP " + status + ": " + Errors.oneLine(msg));
    }
}
