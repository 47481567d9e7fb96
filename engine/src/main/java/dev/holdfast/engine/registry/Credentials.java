package dev.holdfast.engine.registry;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.holdfast.engine.errdefs.DomainException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * What the CLI sends for a registry: the {@code X-Registry-Auth} header of a pull or push (base64url JSON) or the
 * body of {@code POST /auth}. Never stored by the engine: the CLI keeps logins in its own config.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Credentials(String username, String password, String identitytoken, String serveraddress,
        String registrytoken) {
    public static final Credentials ANONYMOUS = new Credentials(null, null, null, null, null);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The header's credentials; absent, empty or {@code {}} means anonymous. */
    public static Credentials fromHeader(String header) {
        if (header == null || header.isBlank()) {
            return ANONYMOUS;
        }
        try {
            byte[] json = Base64.getUrlDecoder().decode(header.strip().replace('+', '-').replace('/', '_'));
            return JSON.readValue(json, Credentials.class);
        } catch (IllegalArgumentException | IOException e) {
            throw DomainException.invalidParameter("invalid X-Registry-Auth header: " + e.getMessage());
        }
    }

    boolean hasPassword() {
        return username != null && !username.isEmpty() && password != null;
    }

    String basic() {
        return "Basic " + Base64.getEncoder().encodeToString((username + ":" + password)
                .getBytes(StandardCharsets.UTF_8));
    }
}
