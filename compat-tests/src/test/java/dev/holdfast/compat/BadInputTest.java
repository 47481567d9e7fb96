package dev.holdfast.compat;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.TestInstance;

/**
 * What the engine answers to requests the docker CLI would never send (hand-written HTTP over the unix socket), and
 * to image archives built to escape the image store. Statuses and messages are dockerd's; a refused request leaves
 * nothing behind.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BadInputTest {

    private static final String V = "/v1.47";
    private static final String JSON = "application/json";

    @AutoClose
    private final HoldfastDaemon holdfast = HoldfastDaemon.start();
    private final EngineHttp http = new EngineHttp(holdfast.socket());

    /** Tests here assert "no container created" themselves; whatever one leaves after failing must not fail others. */
    @AfterEach
    void removeLeftovers() {
        for (String id : containers()) {
            remove(id);
        }
    }

    // --- POST /containers/create ----------------------------------------------------------------------------------

    @Test
    void malformedJsonIsABadRequestAndCreatesNothing() {
        for (String body : List.of("{\"Image\": \"busybox\",", "{\"Image\": busybox}", "not json at all", "{\"Image\"",
                "[\"busybox\"]", "\"busybox\"")) {
            EngineHttp.Response r = http.post(V + "/containers/create", JSON, body);
            assertEquals(400, r.status(), () -> body + " -> " + r);
            assertFalse(r.message().isBlank(), r::toString);
            assertEquals(JSON, r.headers().get("content-type"), r::toString);
            assertEquals(List.of(), containers(), () -> "after " + body);
        }
    }

    @Test
    void aJsonBodyBeyondSixteenMebibytesIs413AndTheEngineKeepsServing(@TempDir Path dir) throws Exception {
        // curl, because the engine may answer and close before the upload ends, and curl reads that answer.
        Path huge = dir.resolve("create.json");
        Files.writeString(huge, "{\"Image\": \"busybox\", \"Labels\": {\"a\": \"" + "x".repeat(20 << 20) + "\"}}");
        Process curl = new ProcessBuilder("curl", "-s", "-w", "\n%{http_code}", "--unix-socket",
                holdfast.socket().toString(), "-H", "Content-Type: application/json",
                "--data-binary", "@" + huge, "http://d" + V + "/containers/create").redirectErrorStream(true).start();
        String out = new String(curl.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        curl.waitFor();
        assertTrue(out.endsWith("\n413") && out.contains("larger than 16 MiB"), out);
        assertEquals(List.of(), containers());
        assertEquals(200, http.get("/_ping").status());
    }

    @Test
    void fieldsOfTheWrongTypeAreABadRequest() {
        // dockerd decodes into Go structs: a string where a list belongs is "json: cannot unmarshal string into Go
        // struct field ... of type []string" (400 since Docker 25).
        assertAll(Stream.of("{\"Image\": \"busybox\", \"Env\": \"FOO=bar\"}",
                "{\"Image\": \"busybox\", \"Cmd\": 5}",
                "{\"Image\": \"busybox\", \"Labels\": [\"a=b\"]}",
                "{\"Image\": [\"busybox\"]}",
                "{\"Image\": \"busybox\", \"HostConfig\": \"none\"}").map(body -> () -> {
                    EngineHttp.Response r = http.post(V + "/containers/create", JSON, body);
                    removeLeftovers();
                    assertEquals(400, r.status(), () -> body + " -> " + r);
                    assertFalse(r.message().isBlank(), r::toString);
                }));
    }

    @Test
    void aNumberWithAFractionIsNoIntegerInAnyBody() {
        // Go's encoding/json puts no 4.5e9 (nor 4.0) into an int64: dockerd answers 400, and so must holdfast.
        EngineHttp.Response create = http.post(V + "/containers/create", JSON,
                "{\"Image\": \"busybox\", \"HostConfig\": {\"Memory\": 4.5e9}}");
        assertEquals(400, create.status(), create::toString);
        assertTrue(create.message().contains("HostConfig.Memory must be an integer"), create::toString);
        assertEquals(List.of(), containers());
        EngineHttp.Response tmpfs = http.post(V + "/containers/create", JSON, "{\"Image\": \"busybox\", "
                + "\"HostConfig\": {\"Mounts\": [{\"Type\": \"tmpfs\", \"Target\": \"/t\", "
                + "\"TmpfsOptions\": {\"SizeBytes\": 1.5e6}}]}}");
        assertEquals(400, tmpfs.status(), tmpfs::toString);
        assertTrue(tmpfs.message().contains("TmpfsOptions.SizeBytes must be an integer"), tmpfs::toString);
        assertEquals(List.of(), containers());

        EngineHttp.Response made = http.post(V + "/containers/create?name=compat-float", JSON,
                "{\"Image\": \"busybox\", \"Cmd\": [\"true\"], \"HostConfig\": {\"Memory\": 64000000}}");
        assertEquals(201, made.status(), made::toString);
        String id = made.json().get("Id").asText();
        EngineHttp.Response update = http.post(V + "/containers/" + id + "/update", JSON,
                "{\"Memory\": 1e8, \"MemorySwap\": -1}");
        assertEquals(400, update.status(), update::toString);
        assertTrue(update.message().contains("Memory must be an integer"), update::toString);
        EngineHttp.Response inspect = http.get(V + "/containers/" + id + "/json");
        assertEquals(64_000_000L, inspect.json().path("HostConfig").path("Memory").asLong(), inspect::toString);
    }

    @Test
    void anEmptyBodyIsABadRequest() {
        EngineHttp.Response empty = http.post(V + "/containers/create", JSON, "");
        assertEquals(400, empty.status(), empty::toString);
        assertFalse(empty.message().isBlank(), empty::toString);
        EngineHttp.Response none = http.post(V + "/containers/create");
        assertEquals(400, none.status(), none::toString);
        assertFalse(none.message().isBlank(), none::toString);
        EngineHttp.Response object = http.post(V + "/containers/create", JSON, "{}");
        assertEquals(400, object.status(), object::toString);
    }

    @Test
    void aBodyThatIsNotJsonByContentTypeIsABadRequest() {
        // dockerd's CheckForJSON: a body must come as application/json.
        EngineHttp.Response r = http.post(V + "/containers/create", "text/plain", "{\"Image\":\"busybox\"}");
        assertEquals(400, r.status(), r::toString);
        assertTrue(r.message().contains("application/json"), r::toString);
        EngineHttp.Response charset = http.post(V + "/containers/create?name=compat-charset",
                "application/json; charset=utf-8", "{\"Image\":\"busybox\"}");
        assertEquals(201, charset.status(), charset::toString);
        remove(charset.json().get("Id").asText());
    }

    @Test
    void anUnknownImageIsNotFound() {
        EngineHttp.Response r = http.post(V + "/containers/create", JSON, "{\"Image\": \"compat/nosuchimage:1\"}");
        assertEquals(404, r.status(), r::toString);
        assertEquals("No such image: compat/nosuchimage:1", r.message());
    }

    @Test
    void aDuplicateNameIsAConflictWithDockersMessage() {
        EngineHttp.Response first = http.post(V + "/containers/create?name=compat-dup", JSON,
                "{\"Image\": \"busybox\", \"Cmd\": [\"true\"]}");
        assertEquals(201, first.status(), first::toString);
        String id = first.json().get("Id").asText();
        try {
            EngineHttp.Response second = http.post(V + "/containers/create?name=compat-dup", JSON,
                    "{\"Image\": \"busybox\", \"Cmd\": [\"true\"]}");
            assertEquals(409, second.status(), second::toString);
            assertEquals("Conflict. The container name \"/compat-dup\" is already in use by container \"" + id
                    + "\". You have to remove (or rename) that container to be able to reuse that name.",
                    second.message());
            assertEquals(List.of(id), containers());
        } finally {
            remove(id);
        }
    }

    @Test
    void anInvalidNameIsABadRequest() {
        for (String name : List.of("a%2Fb", "x", "-lead", ".dot", "sp%20ace", "caf%C3%A9")) {
            EngineHttp.Response r = http.post(V + "/containers/create?name=" + name, JSON, "{\"Image\": \"busybox\"}");
            assertEquals(400, r.status(), () -> name + " -> " + r);
            String decoded = java.net.URLDecoder.decode(name, StandardCharsets.UTF_8);
            assertEquals("Invalid container name (" + decoded + "), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed",
                    r.message());
        }
    }

    // --- unknown containers --------------------------------------------------------------------------------------

    @Test
    void everyContainerRouteAnswers404ForAnUnknownContainer() {
        for (String[] route : List.of(
                new String[] {"GET", "/containers/compat-nosuch/json"},
                new String[] {"POST", "/containers/compat-nosuch/start"},
                new String[] {"POST", "/containers/compat-nosuch/stop"},
                new String[] {"POST", "/containers/compat-nosuch/restart"},
                new String[] {"POST", "/containers/compat-nosuch/kill"},
                new String[] {"POST", "/containers/compat-nosuch/wait"},
                new String[] {"GET", "/containers/compat-nosuch/logs?stdout=1&stderr=1"},
                new String[] {"DELETE", "/containers/compat-nosuch"},
                new String[] {"DELETE", "/containers/compat-nosuch?force=1&v=1"})) {
            for (String prefix : List.of(V, "")) {
                EngineHttp.Response r = http.request(route[0], prefix + route[1], Map.of(), null);
                assertEquals(404, r.status(), () -> route[0] + " " + prefix + route[1] + " -> " + r);
                assertEquals("No such container: compat-nosuch", r.message(), () -> route[0] + " " + route[1]);
            }
        }
    }

    @Test
    void theCliReportsUnknownContainersLikeDockerd() {
        for (List<String> args : List.of(List.of("inspect", "--type", "container", "compat-nosuch"),
                List.of("start", "compat-nosuch"), List.of("stop", "compat-nosuch"),
                List.of("logs", "compat-nosuch"), List.of("rm", "compat-nosuch"), List.of("wait", "compat-nosuch"))) {
            DockerResult r = holdfast.docker(args.toArray(String[]::new));
            assertNotEquals(0, r.exitCode(), r::toString);
            assertTrue(r.stderr().contains("No such container: compat-nosuch"), r::toString);
        }
    }

    // --- versions and paths ----------------------------------------------------------------------------------------

    @Test
    void tooOldAndTooNewApiVersionsAreBadRequests() {
        EngineHttp.Response old = http.get("/v1.12/version");
        assertEquals(400, old.status(), old::toString);
        assertEquals("client version 1.12 is too old. Minimum supported API version is 1.24, please upgrade your "
                + "client to a newer version", old.message());
        EngineHttp.Response oldList = http.get("/v1.23/containers/json");
        assertEquals(400, oldList.status(), oldList::toString);

        String current = http.get("/version").json().get("ApiVersion").asText();
        EngineHttp.Response future = http.get("/v1.99/version");
        assertEquals(400, future.status(), future::toString);
        assertEquals("client version 1.99 is too new. Maximum supported API version is " + current,
                future.message());
        EngineHttp.Response futureList = http.get("/v1.99/containers/json");
        assertEquals(400, futureList.status(), futureList::toString);
    }

    @Test
    void unversionedAndSupportedVersionsWork() {
        EngineHttp.Response unversioned = http.get("/version");
        assertEquals(200, unversioned.status(), unversioned::toString);
        JsonNode version = unversioned.json();
        String current = version.get("ApiVersion").asText();
        assertEquals(current, unversioned.headers().get("api-version"), unversioned::toString);
        assertEquals("1.24", version.get("MinAPIVersion").asText(), version::toString);

        for (String prefix : List.of("/v1.24", "/v1.41", "/v1.44", "/v" + current, "")) {
            EngineHttp.Response v = http.get(prefix + "/version");
            assertEquals(200, v.status(), () -> prefix + " -> " + v);
            EngineHttp.Response list = http.get(prefix + "/containers/json?all=1");
            assertEquals(200, list.status(), () -> prefix + " -> " + list);
            assertTrue(list.json().isArray(), list::toString);
            EngineHttp.Response ping = http.get(prefix + "/_ping");
            assertEquals(200, ping.status(), ping::toString);
            assertEquals("OK", ping.text());
        }
        EngineHttp.Response head = http.head("/_ping");
        assertEquals(200, head.status(), head::toString);
        assertEquals(current, head.headers().get("api-version"), head::toString);
        assertEquals("linux", head.headers().get("ostype"), head::toString);
    }

    @Test
    void unknownPathsAreNotFound() {
        for (String path : List.of("/nosuch", V + "/nosuch", V + "/containers", "/v1.47/containers/x/nosuch",
                V + "/images/busybox/nosuch/deeper/json/x")) {
            EngineHttp.Response r = http.get(path);
            assertEquals(404, r.status(), () -> path + " -> " + r);
            assertEquals("page not found", r.message(), () -> path + " -> " + r);
        }
        EngineHttp.Response post = http.post("/v1.47/nosuch", JSON, "{}");
        assertEquals(404, post.status(), post::toString);
        assertEquals("page not found", post.message());
    }

    @Test
    void garbageHttpIsRefusedAndTheEngineKeepsServing() {
        EngineHttp.Response garbage = http.raw("NOT HTTP AT ALL\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1),
                false);
        assertEquals(400, garbage.status(), garbage::toString);
        assertEquals(200, http.get("/_ping").status());
    }

    // --- image archives that try to escape -----------------------------------------------------------------------

    @Test
    void loadRefusesEntriesThatEscapeTheStoreAndWritesNothingOutside() throws IOException {
        Path marker = Files.createTempDirectory(Path.of("/tmp"), "hf-marker-");
        try {
            String images = imageList();
            String up = "../".repeat(16);
            String target = marker.toString();
            Map<String, byte[]> layers = new java.util.LinkedHashMap<>();
            layers.put("dotdot", new TarWriter().file(up + target.substring(1) + "/dotdot", "escaped\n").toByteArray());
            layers.put("absolute", new TarWriter().file(target + "/absolute", "escaped\n").toByteArray());
            layers.put("symlink", new TarWriter().symlink("l", target).file("l/pwned", "escaped\n").toByteArray());
            layers.put("relative-symlink", new TarWriter()
                    .symlink("l", up + target.substring(1)).file("l/pwned", "escaped\n").toByteArray());
            layers.put("symlinked-dir", new TarWriter()
                    .directory("d").symlink("d/l", target).directory("d/l/sub").file("d/l/sub/pwned", "x\n")
                    .toByteArray());
            layers.put("hardlink", new TarWriter().hardLink("h", up + "etc/passwd").toByteArray());
            layers.put("hardlink-absolute", new TarWriter().hardLink("h", "/etc/passwd").toByteArray());
            for (Map.Entry<String, byte[]> layer : layers.entrySet()) {
                String tag = "compat/evil:" + layer.getKey();
                TarWriter.SavedImage image = TarWriter.savedImage(tag, layer.getValue(), List.of("/x"));
                DockerResult load = holdfast.dockerWithInput(image.archive(), "load");
                assertNotEquals(0, load.exitCode(), () -> layer.getKey() + ": " + load);
                assertTrue(load.stderr().contains("refusing archive entry"), load::toString);
                assertFalse(load.stderr().contains("Loaded image"), load::toString);
                try (Stream<Path> written = Files.list(marker)) {
                    assertEquals(List.of(), written.toList(), () -> layer.getKey() + " wrote outside the store");
                }
                assertEquals(images, imageList(), () -> layer.getKey() + " changed the image list");
                assertNotEquals(0, holdfast.docker("image", "inspect", tag).exitCode(), tag);
                assertNotEquals(0, holdfast.docker("image", "inspect", image.id()).exitCode(), image.id());
            }
            assertFalse(Files.exists(Path.of("/pwned")) || Files.exists(Path.of("/etc/pwned")));
        } finally {
            try (Stream<Path> left = Files.walk(marker)) {
                left.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    void loadNamesTheOffendingEntry() {
        TarWriter.SavedImage image = TarWriter.savedImage("compat/evil:named",
                new TarWriter().file("ok", "fine\n").file("../../escape", "x\n").toByteArray(), List.of("/x"));
        DockerResult load = holdfast.dockerWithInput(image.archive(), "load");
        assertNotEquals(0, load.exitCode(), load::toString);
        assertTrue(load.stderr().contains("../../escape"), () -> "the message names the entry: " + load);
    }

    @Test
    void loadRefusesArchivesThatAreNotImages() {
        String images = imageList();
        for (byte[] archive : List.of("not a tar at all".getBytes(StandardCharsets.UTF_8), new byte[0],
                new TarWriter().file("manifest.json", "{not json").toByteArray(),
                new TarWriter().file("manifest.json", "[{\"Config\":\"missing.json\",\"RepoTags\":[\"compat/x:1\"],"
                        + "\"Layers\":[]}]").toByteArray())) {
            DockerResult load = holdfast.dockerWithInput(archive, "load");
            assertNotEquals(0, load.exitCode(), load::toString);
            assertFalse(load.stderr().isBlank(), load::toString);
            assertEquals(images, imageList());
        }
        // A layer that does not match the config's diff id is refused too.
        TarWriter.SavedImage good = TarWriter.savedImage("compat/x:2",
                new TarWriter().file("a", "a\n").toByteArray(), List.of("/x"));
        byte[] tampered = new String(good.archive(), StandardCharsets.ISO_8859_1)
                .replace("a\n\0", "b\n\0").getBytes(StandardCharsets.ISO_8859_1);
        DockerResult load = holdfast.dockerWithInput(tampered, "load");
        assertNotEquals(0, load.exitCode(), load::toString);
        assertEquals(images, imageList());
    }

    // --- what holdfast does not do ---------------------------------------------------------------------------------

    @Test
    void anImageBuildIsRefusedAsNotSupportedRatherThanAMissingPage() {
        byte[] context = new TarWriter().file("Dockerfile", "FROM busybox\nRUN true\n").toByteArray();
        String images = imageList();
        for (String path : List.of("/build", "/build?t=built:1", "/build/prune")) {
            EngineHttp.Response r = http.post(V + path, "application/x-tar", context);
            assertEquals(400, r.status(), r::toString);
            assertTrue(r.text().contains("image builds (docker build) are not supported by holdfast yet"), r::toString);
        }
        assertEquals(images, imageList());
    }

    // --- helpers ---------------------------------------------------------------------------------------------------

    private List<String> containers() {
        return holdfast.docker("ps", "-aq", "--no-trunc").assertOk().stdout().lines()
                .map(String::trim).filter(l -> !l.isEmpty()).toList();
    }

    private String imageList() {
        return holdfast.docker("images", "-a", "--no-trunc", "--format", "{{.Repository}}:{{.Tag}} {{.ID}}")
                .assertOk().stdout();
    }

    private void remove(String id) {
        EngineHttp.Response r = http.delete(V + "/containers/" + id + "?force=1");
        assertEquals(204, r.status(), r::toString);
    }
}
