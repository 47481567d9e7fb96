package dev.holdfast.bench.api;

import dev.holdfast.bench.json.Json;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The Docker Engine API calls the drivers make, the same for both daemons. */
public final class DockerApi {
    private DockerApi() {}

    /** API version prefix understood by both daemons (dockerd 20.10 speaks up to 1.41, holdfast 1.24 to 1.47). */
    public static final String API = "/v1.41";

    /** POST /containers/create; returns the id. */
    public static String create(UnixHttp http, String body) throws IOException {
        Object j = http.post(API + "/containers/create", body).expect(201).json();
        Object id = Json.at(j, "Id");
        if (!(id instanceof String s) || s.isEmpty()) {
            throw new IllegalStateException("create answered no Id");
        }
        return s;
    }

    public static String createBody(List<String> cmd, Map<String, String> labels) {
        StringBuilder sb = new StringBuilder("{\"Image\":\"busybox:latest\",\"Cmd\":[");
        for (int k = 0; k < cmd.size(); k++) {
            sb.append(k == 0 ? "" : ",").append(Json.quote(cmd.get(k)));
        }
        sb.append("],\"Labels\":{");
        int k = 0;
        for (Map.Entry<String, String> e : labels.entrySet()) {
            sb.append(k++ == 0 ? "" : ",").append(Json.quote(e.getKey())).append(':').append(Json.quote(e.getValue()));
        }
        return sb.append("},\"HostConfig\":{}}").toString();
    }

    public static void start(UnixHttp http, String id) throws IOException {
        http.post(API + "/containers/" + id + "/start", null).expect(204, 304);
    }

    /** POST /containers/{id}/wait; returns the exit code. */
    public static int await(UnixHttp http, String id, long timeoutMs) throws IOException {
        Object j = http.request("POST", API + "/containers/" + id + "/wait", null, timeoutMs).expect(200).json();
        Object code = Json.at(j, "StatusCode");
        if (!(code instanceof Double d)) {
            throw new IllegalStateException("wait answered no StatusCode");
        }
        return d.intValue();
    }

    public static void remove(UnixHttp http, String id, boolean force) throws IOException {
        http.delete(API + "/containers/" + id + (force ? "?force=1" : "")).expect(204);
    }

    /** Best-effort forced removal, for cleaning up after a failure. */
    public static void removeQuietly(Path socket, String id) {
        if (id == null) {
            return;
        }
        try (UnixHttp h = new UnixHttp(socket)) {
            h.delete(API + "/containers/" + id + "?force=1");
        } catch (IOException | RuntimeException ignored) {
            // the cleanup at exit removes whatever is left
        }
    }

    /** Ids of the containers that GET /containers/json lists as running. */
    public static Set<String> runningIds(UnixHttp http) throws IOException {
        Object list = http.get(API + "/containers/json").expect(200).json();
        Set<String> ids = new HashSet<>();
        if (list instanceof List<?> l) {
            for (Object c : l) {
                if (Json.at(c, "Id") instanceof String id && "running".equals(Json.at(c, "State"))) {
                    ids.add(id);
                }
            }
        }
        return ids;
    }
}
