package dev.holdfast.engine.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.holdfast.engine.errdefs.DomainException;
import dev.holdfast.engine.errdefs.ErrorKind;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One repository of a registry over the distribution API v2, with its authentication: anonymous, Basic, or a bearer
 * token fetched from the realm a {@code WWW-Authenticate: Bearer} challenge names (with the user's credentials when
 * it has them), as docker does. A 401 is answered once by authenticating and retrying.
 */
public final class RegistryClient {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern PARAM = Pattern.compile("(\\w+)=\"([^\"]*)\"");
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final HttpClient http;
    private final URI base;
    private final String repository;
    private final Credentials credentials;
    private final String scope;
    private volatile String authorization;

    /** {@code push}: ask for push access (tokens are scoped to what is asked). */
    public RegistryClient(HttpClient http, URI base, String repository, Credentials credentials, boolean push) {
        this.http = http;
        this.base = base;
        this.repository = repository;
        this.credentials = credentials;
        this.scope = "repository:" + repository + ":" + (push ? "pull,push" : "pull");
        this.authorization = credentials.registrytoken() != null && !credentials.registrytoken().isEmpty()
                ? "Bearer " + credentials.registrytoken() : null;
    }

    public URI base() {
        return base;
    }

    /** {@code GET /v2/} with authentication: what {@code docker login} checks. */
    public void ping() throws IOException {
        HttpResponse<byte[]> response = send(HttpRequest.newBuilder(base.resolve("/v2/")).GET(),
                HttpResponse.BodyHandlers.ofByteArray());
        if (response.statusCode() != 200) {
            throw failure("GET /v2/", response.statusCode(), response.body());
        }
    }

    /** A manifest or index as the registry serves it: its bytes, media type and digest. */
    public record Manifest(byte[] bytes, String mediaType, String digest) {}

    public Manifest manifest(String reference, List<String> accept) throws IOException {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri("/manifests/" + reference)).GET()
                .header("Accept", String.join(", ", accept));
        HttpResponse<byte[]> response = send(request, HttpResponse.BodyHandlers.ofByteArray());
        if (response.statusCode() == 404) {
            throw new DomainException(ErrorKind.NOT_FOUND, "manifest for " + repository + ":" + reference
                    + " not found: manifest unknown", null);
        }
        if (response.statusCode() != 200) {
            throw failure("GET manifest " + reference, response.statusCode(), response.body());
        }
        String type = response.headers().firstValue("Content-Type").orElse("").split(";")[0].strip();
        String digest = Digests.sha256(response.body());
        return new Manifest(response.body(), type, digest);
    }

    /** A blob from byte {@code offset} on (a resumed download asks for the rest with Range). */
    public InputStream blob(String digest, long offset) throws IOException {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri("/blobs/" + digest)).GET();
        if (offset > 0) {
            request.header("Range", "bytes=" + offset + "-");
        }
        HttpResponse<InputStream> response = send(request, HttpResponse.BodyHandlers.ofInputStream());
        int status = response.statusCode();
        if (status == 200 && offset > 0) {
            response.body().skipNBytes(offset); // the registry ignored the range: skip what is already here
        } else if (status != 200 && status != 206) {
            byte[] body;
            try (InputStream in = response.body()) {
                body = in.readNBytes(4096);
            }
            throw failure("GET blob " + digest, status, body);
        }
        return response.body();
    }

    public boolean hasBlob(String digest) throws IOException {
        HttpResponse<Void> response = send(HttpRequest.newBuilder(uri("/blobs/" + digest))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()), HttpResponse.BodyHandlers.discarding());
        return response.statusCode() == 200;
    }

    /** A monolithic upload: {@code POST} for a session, then {@code PUT ?digest=} with the whole blob. */
    public void putBlob(String digest, Path file) throws IOException {
        HttpResponse<byte[]> started = send(HttpRequest.newBuilder(uri("/blobs/uploads/"))
                .POST(HttpRequest.BodyPublishers.noBody()), HttpResponse.BodyHandlers.ofByteArray());
        if (started.statusCode() != 202) {
            throw failure("starting the upload of " + digest, started.statusCode(), started.body());
        }
        String location = started.headers().firstValue("Location").orElseThrow(() -> new IOException(
                "the registry started an upload of " + digest + " without a Location"));
        URI upload = base.resolve(location);
        String separator = upload.getQuery() == null ? "?" : "&";
        URI put = URI.create(upload + separator + "digest=" + URLEncoder.encode(digest, StandardCharsets.UTF_8));
        HttpResponse<byte[]> done = send(HttpRequest.newBuilder(put)
                .header("Content-Type", "application/octet-stream")
                .PUT(HttpRequest.BodyPublishers.ofFile(file)), HttpResponse.BodyHandlers.ofByteArray());
        if (done.statusCode() != 201) {
            throw failure("uploading " + digest, done.statusCode(), done.body());
        }
    }

    /** Returns the digest the registry gives the manifest. */
    public String putManifest(String reference, byte[] manifest, String mediaType) throws IOException {
        HttpResponse<byte[]> response = send(HttpRequest.newBuilder(uri("/manifests/" + reference))
                .header("Content-Type", mediaType).PUT(HttpRequest.BodyPublishers.ofByteArray(manifest)),
                HttpResponse.BodyHandlers.ofByteArray());
        if (response.statusCode() != 201) {
            throw failure("PUT manifest " + reference, response.statusCode(), response.body());
        }
        return response.headers().firstValue("Docker-Content-Digest").orElse(Digests.sha256(manifest));
    }

    private URI uri(String suffix) {
        return base.resolve("/v2/" + repository + suffix);
    }

    private <T> HttpResponse<T> send(HttpRequest.Builder request, HttpResponse.BodyHandler<T> handler)
            throws IOException {
        request.timeout(TIMEOUT);
        HttpResponse<T> response = exchange(request, handler);
        if (response.statusCode() != 401) {
            return response;
        }
        String challenge = response.headers().firstValue("WWW-Authenticate").orElse("");
        discard(response);
        authorization = authenticate(challenge);
        return exchange(request, handler);
    }

    private <T> HttpResponse<T> exchange(HttpRequest.Builder request, HttpResponse.BodyHandler<T> handler)
            throws IOException {
        if (authorization != null) {
            request.setHeader("Authorization", authorization);
        }
        HttpRequest built = request.build();
        try {
            return http.send(built, handler);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted talking to " + base, e);
        } catch (IOException e) {
            // As docker words it: Get "http://host/v2/...": what failed (a refused connection has no message).
            throw new IOException(capitalized(built.method()) + " \"" + built.uri() + "\": "
                    + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()), e);
        }
    }

    /** The Authorization a challenge asks for; the error docker gives when there is no way to meet it. */
    private String authenticate(String challenge) throws IOException {
        String lower = challenge.toLowerCase();
        if (lower.startsWith("basic")) {
            if (!credentials.hasPassword()) {
                throw unauthorized("no basic auth credentials");
            }
            return credentials.basic();
        }
        if (!lower.startsWith("bearer")) {
            throw unauthorized("the registry asks for an authentication holdfast does not know: " + challenge);
        }
        Map<String, String> params = new LinkedHashMap<>();
        Matcher m = PARAM.matcher(challenge);
        while (m.find()) {
            params.put(m.group(1), m.group(2));
        }
        String realm = Optional.ofNullable(params.get("realm")).orElseThrow(() -> unauthorized(
                "the registry's bearer challenge names no realm"));
        StringBuilder query = new StringBuilder();
        if (params.containsKey("service")) {
            query.append("service=").append(URLEncoder.encode(params.get("service"), StandardCharsets.UTF_8));
        }
        query.append(query.isEmpty() ? "" : "&").append("scope=").append(URLEncoder.encode(scope,
                StandardCharsets.UTF_8));
        HttpRequest.Builder tokenRequest = HttpRequest.newBuilder(URI.create(realm + (realm.contains("?") ? "&" : "?")
                + query)).GET().timeout(TIMEOUT);
        if (credentials.hasPassword()) {
            tokenRequest.header("Authorization", credentials.basic());
        }
        HttpResponse<byte[]> response;
        try {
            response = http.send(tokenRequest.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted fetching a token from " + realm, e);
        }
        if (response.statusCode() == 401 || response.statusCode() == 403) {
            throw unauthorized("the token server " + realm + " refused the credentials");
        }
        if (response.statusCode() != 200) {
            throw failure("GET token from " + realm, response.statusCode(), response.body());
        }
        JsonNode token = JSON.readTree(response.body());
        String value = token.path("token").asText(token.path("access_token").asText(""));
        if (value.isEmpty()) {
            throw unauthorized("the token server " + realm + " answered no token");
        }
        return "Bearer " + value;
    }

    private DomainException unauthorized(String why) {
        return new DomainException(ErrorKind.FORBIDDEN, "Head \"" + base.resolve("/v2/") + "\": unauthorized: "
                + why, null);
    }

    private IOException failure(String what, int status, byte[] body) {
        String detail = body == null ? "" : new String(body, StandardCharsets.UTF_8).strip();
        if (status == 401 || status == 403) {
            throw unauthorized(what + " answered " + status + (detail.isEmpty() ? "" : ": " + detail));
        }
        return new IOException(what + " at " + base + " answered " + status + (detail.isEmpty() ? "" : ": "
                + detail));
    }

    private static String capitalized(String method) {
        return method.charAt(0) + method.substring(1).toLowerCase();
    }

    private static void discard(HttpResponse<?> response) throws IOException {
        if (response.body() instanceof InputStream in) {
            in.close();
        }
    }
}
