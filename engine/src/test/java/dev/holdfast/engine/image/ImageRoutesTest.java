package dev.holdfast.engine.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.holdfast.engine.api.ApiServer;
import dev.holdfast.engine.api.ImageRoutes;
import dev.holdfast.engine.api.Json;
import dev.holdfast.engine.events.EventBus;
import dev.holdfast.engine.events.EventJournal;
import dev.holdfast.engine.registry.Registries;
import dev.holdfast.engine.api.Router;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The image routes over a real unix socket: statuses, JSON shapes and Docker's messages. */
class ImageRoutesTest {
    @TempDir
    Path tmp;

    private final List<String> users = new ArrayList<>();
    private ApiServer server;
    private EventBus events;
    private Path socket;
    private SavedImage busybox;

    @BeforeEach
    void setUp() throws Exception {
        socket = tmp.resolve("api.sock");
        ImageStore store = ImageStore.boot(tmp.resolve("data"), id -> users);
        Router router = new Router();
        events = new EventBus(EventJournal.open(tmp.resolve("events"), Json.MAPPER));
        new ImageRoutes(store, new Registries(List.of(), List.of()), events).register(router);
        server = ApiServer.bind(socket, router, "test");
        busybox = ImageStoreLoadTest.busyboxLike();
    }

    @AfterEach
    void tearDown() {
        server.close();
        events.close();
    }

    private UnixHttp.Response call(String method, String target) throws Exception {
        return UnixHttp.call(socket, method, target, null);
    }

    private JsonNode json(UnixHttp.Response response) throws Exception {
        return Json.MAPPER.readTree(response.body());
    }

    private void load() throws Exception {
        UnixHttp.Response loaded = UnixHttp.call(socket, "POST", "/v1.47/images/load?quiet=1", busybox.archive());
        assertEquals(200, loaded.status());
        assertEquals("application/json", loaded.contentType());
        assertEquals("{\"stream\":\"Loaded image: busybox:latest\\n\"}", loaded.body().strip());
    }

    @Test
    void loadListInspectHistory() throws Exception {
        load();
        JsonNode list = json(call("GET", "/v1.47/images/json"));
        assertEquals(1, list.size());
        JsonNode summary = list.get(0);
        assertEquals(busybox.id(), summary.get("Id").asText());
        assertEquals("busybox:latest", summary.get("RepoTags").get(0).asText());
        assertEquals(1704067200, summary.get("Created").asLong());
        assertEquals(-1, summary.get("SharedSize").asInt());
        assertEquals(-1, summary.get("Containers").asInt());
        assertTrue(summary.get("RepoDigests").isArray());
        assertTrue(json(call("GET", "/v1.43/images/json")).get(0).has("VirtualSize"));

        JsonNode inspect = json(call("GET", "/v1.47/images/docker.io/library/busybox:latest/json"));
        assertEquals(busybox.id(), inspect.get("Id").asText());
        assertEquals("2024-01-01T00:00:00Z", inspect.get("Created").asText());
        assertEquals("sh", inspect.at("/Config/Cmd/0").asText());
        assertEquals("", inspect.at("/Config/Hostname").asText());
        assertEquals("vfs", inspect.at("/GraphDriver/Name").asText());
        assertEquals("layers", inspect.at("/RootFS/Type").asText());
        assertEquals(busybox.configDiffId(0), inspect.at("/RootFS/Layers/0").asText());
        assertEquals("0001-01-01T00:00:00Z", inspect.at("/Metadata/LastTagTime").asText());

        JsonNode history = json(call("GET", "/images/busybox/history"));
        assertEquals(busybox.id(), history.get(0).get("Id").asText());
        assertEquals("busybox:latest", history.get(0).get("Tags").get(0).asText());
    }

    @Test
    void missingImageIs404WithDockersMessage() throws Exception {
        UnixHttp.Response response = call("GET", "/images/nope/json");
        assertEquals(404, response.status());
        assertEquals("No such image: nope:latest", json(response).get("message").asText());
        assertEquals(404, call("DELETE", "/images/nope").status());
        assertEquals(400, call("GET", "/images/Nope/json").status());
    }

    @Test
    void tagAndRemove() throws Exception {
        load();
        assertEquals(201, call("POST", "/images/busybox/tag?repo=me/app&tag=1").status());
        assertEquals(201, call("POST", "/images/me/app:1/tag?repo=localhost:5000/app").status());
        UnixHttp.Response bad = call("POST", "/images/busybox/tag?repo=me/app&tag=-x");
        assertEquals(400, bad.status());
        assertEquals("invalid tag format", json(bad).get("message").asText());

        users.add("0123456789abcdef");
        // While a container uses the image, only its last tag needs force (dockerd's rule).
        assertEquals("[{\"Untagged\":\"me/app:1\"}]", json(call("DELETE", "/images/me/app:1")).toString());
        UnixHttp.Response conflict = call("DELETE", "/images/busybox");
        assertEquals(200, conflict.status(), "busybox:latest is not the last tag yet");
        UnixHttp.Response last = call("DELETE", "/images/localhost:5000/app");
        assertEquals(409, last.status());
        assertTrue(json(last).get("message").asText().startsWith("conflict: unable to remove repository reference "
                + "\"localhost:5000/app\" (must force) - container 0123456789ab"));
        users.clear();

        call("POST", "/images/localhost:5000/app/tag?repo=busybox&tag=latest");
        assertEquals(409, call("DELETE", "/images/" + busybox.id()).status());
        JsonNode removed = json(call("DELETE", "/images/" + busybox.id() + "?force=1"));
        assertEquals("[{\"Untagged\":\"busybox:latest\"},{\"Untagged\":\"localhost:5000/app:latest\"},{\"Deleted\":\""
                + busybox.id() + "\"}]", removed.toString());
    }

    @Test
    void maliciousLoadEndsItsStreamWithTheErrorAndLeavesNothing() throws Exception {
        byte[] evil = new SavedImage().layer(new TarBuilder().symlink("l", tmp.toString()).file("l/x", "pwned")
                .build()).tag("evil:1").archive();
        UnixHttp.Response response = UnixHttp.call(socket, "POST", "/images/load", evil);
        assertEquals(200, response.status(), "dockerd answers a load with a stream, errors included");
        assertEquals("refusing archive entry \"l/x\": its parent \"l\" is a symbolic link",
                json(response).get("errorDetail").get("message").asText());
        assertTrue(Files.notExists(tmp.resolve("x")));
        assertEquals("[]", call("GET", "/images/json").body());
    }

    @Test
    void importStreamsTheNewId() throws Exception {
        String changes = URLEncoder.encode("CMD [\"/hello\"]", StandardCharsets.UTF_8);
        UnixHttp.Response response = UnixHttp.call(socket, "POST",
                "/images/create?fromSrc=-&repo=imported&tag=v1&changes=" + changes,
                new TarBuilder().file("hello", "hi").build());
        assertEquals(200, response.status());
        String id = json(response).get("status").asText();
        assertTrue(id.startsWith("sha256:"), id);
        JsonNode inspect = json(call("GET", "/images/imported:v1/json"));
        assertEquals(id, inspect.get("Id").asText());
        assertEquals("/hello", inspect.at("/Config/Cmd/0").asText());
    }

    @Test
    void aPullFromARegistryNobodyServesIsA500NamingIt() throws Exception {
        int closed;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closed = socket.getLocalPort(); // free again once closed: nothing listens there
        }
        UnixHttp.Response response = call("POST", "/images/create?fromImage=127.0.0.1:" + closed + "/x&tag=1");
        assertEquals(500, response.status());
        String message = json(response).get("message").asText();
        assertTrue(message.contains("http://127.0.0.1:" + closed + "/v2/x/manifests/1"), message);
    }

    @Test
    void listFilters() throws Exception {
        load();
        String importedId = json(UnixHttp.call(socket, "POST", "/images/create?fromSrc=-",
                new TarBuilder().file("a", "a").build())).get("status").asText();
        assertEquals(importedId, json(call("GET", "/images/json?filters="
                + URLEncoder.encode("{\"dangling\":[\"true\"]}", StandardCharsets.UTF_8))).get(0).get("Id").asText());
        JsonNode byReference = json(call("GET", "/images/json?filters="
                + URLEncoder.encode("{\"reference\":{\"busy*\":true}}", StandardCharsets.UTF_8)));
        assertEquals(1, byReference.size());
        assertEquals(busybox.id(), byReference.get(0).get("Id").asText());
        assertEquals(400, call("GET", "/images/json?filters="
                + URLEncoder.encode("{\"bogus\":[\"x\"]}", StandardCharsets.UTF_8)).status());
        JsonNode pruned = json(call("POST", "/images/prune"));
        assertEquals(importedId, pruned.at("/ImagesDeleted/0/Deleted").asText());
    }
}
