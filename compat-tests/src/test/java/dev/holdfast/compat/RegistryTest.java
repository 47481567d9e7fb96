package dev.holdfast.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code docker push}, {@code pull} and {@code login} against Debian's docker-registry on 127.0.0.1: anonymous,
 * behind a bearer-token front (which also cuts a download halfway: the pull resumes it), with Basic auth, and
 * serving layers that try to escape.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RegistryTest {
    private static final Duration TRANSFER = Duration.ofMinutes(2);

    @AutoClose
    private final HoldfastDaemon holdfast = HoldfastDaemon.start();

    /** An image of two layers (busybox's and one more) tagged {@code name}; returns its id. */
    private String twoLayerImage(String name, String content) {
        String container = holdfast.docker("run", "-d", "busybox", "sh", "-c", "echo " + content + " > /content")
                .assertOk().out();
        holdfast.docker("wait", container).assertOk();
        holdfast.docker("commit", container, name).assertOk();
        holdfast.docker("rm", container).assertOk();
        return holdfast.docker("image", "inspect", "-f", "{{.Id}}", name).assertOk().out();
    }

    private String pushedDigest(DockerResult push) {
        String out = push.stdout();
        int at = out.indexOf("digest: ");
        assertTrue(at >= 0, () -> "no digest in the push output: " + push);
        return out.substring(at + 8, at + 8 + 71);
    }

    @Test
    void pushedImageIsPulledBackWithItsDigestAndRuns() throws IOException {
        try (TestRegistry registry = TestRegistry.start(holdfast.root().resolve("registry-plain"), null, null)) {
            String name = registry.host() + "/compat/app:1";
            String id = twoLayerImage(name, "pushed");
            DockerResult push = holdfast.docker(TRANSFER, "push", name).assertOk();
            assertTrue(push.stdout().contains("Pushed"), push::toString);
            String digest = pushedDigest(push);

            holdfast.docker("rmi", name).assertOk();
            DockerResult pull = holdfast.docker(TRANSFER, "pull", name).assertOk();
            assertTrue(pull.stdout().contains("Already exists") && pull.stdout().contains("Pull complete")
                    && pull.stdout().contains("Downloaded newer image"), pull::toString);
            assertEquals(id, holdfast.docker("image", "inspect", "-f", "{{.Id}}", name).assertOk().out());
            assertEquals("[" + registry.host() + "/compat/app@" + digest + "]",
                    holdfast.docker("image", "inspect", "-f", "{{.RepoDigests}}", name).assertOk().out());
            assertEquals("pushed", holdfast.docker("run", "--rm", name, "cat", "/content").assertOk().out());

            DockerResult again = holdfast.docker(TRANSFER, "push", name).assertOk();
            assertTrue(again.stdout().contains("Layer already exists"), again::toString);
            holdfast.docker("rmi", name).assertOk();
            holdfast.docker(TRANSFER, "pull", registry.host() + "/compat/app@" + digest).assertOk();
            DockerResult missing = holdfast.docker(TRANSFER, "pull", registry.host() + "/compat/none:1");
            assertFalse(missing.ok());
            assertTrue(missing.stderr().contains("not found"), missing::toString);
        }
    }

    @Test
    void aBearerTokenRegistryIsUsedAndACutDownloadIsResumed() throws IOException {
        try (TestRegistry registry = TestRegistry.start(holdfast.root().resolve("registry-token"), null, null);
                TokenProxy proxy = TokenProxy.start(registry.host(), null, null)) {
            String name = proxy.host() + "/compat/token:1";
            String id = twoLayerImage(name, "tokened");
            holdfast.docker(TRANSFER, "push", name).assertOk();
            assertTrue(proxy.tokensIssued.get() > 0, "the push fetched a token");

            holdfast.docker("rmi", name).assertOk();
            holdfast.docker("rmi", "busybox").assertOk(); // both layers must come over the wire now
            proxy.cutFirstLargeBlob();
            DockerResult pull = holdfast.docker(TRANSFER, "pull", name).assertOk();
            assertEquals(1, proxy.cuts.get(), "one download was cut");
            assertTrue(proxy.rangeRequests.get() >= 1, () -> "the cut download resumed with a Range request: " + pull);
            assertEquals(id, holdfast.docker("image", "inspect", "-f", "{{.Id}}", name).assertOk().out());
            assertEquals("tokened", holdfast.docker("run", "--rm", name, "cat", "/content").assertOk().out());
        } finally {
            holdfast.dockerWithInput(Files.readAllBytes(holdfast.home().resolve("build/busybox.tar")),
                    "load").assertOk();
        }
    }

    /** Layers a hostile registry serves: each escape trick is refused, nothing lands outside, nothing is tagged. */
    @Test
    void pulledLayersThatTryToEscapeAreRefusedAndWriteNothingOutside() throws Exception {
        Path marker = Files.createTempDirectory(Path.of("/tmp"), "hf-pull-marker-");
        try (TestRegistry registry = TestRegistry.start(holdfast.root().resolve("registry-hostile"), null, null)) {
            String up = "../".repeat(16);
            String target = marker.toString();
            Map<String, byte[]> layers = new LinkedHashMap<>();
            layers.put("dotdot", new TarWriter().file(up + target.substring(1) + "/dotdot", "x\n").toByteArray());
            layers.put("absolute", new TarWriter().file(target + "/absolute", "x\n").toByteArray());
            layers.put("symlink", new TarWriter().symlink("l", target).file("l/pwned", "x\n").toByteArray());
            layers.put("hardlink", new TarWriter().hardLink("h", up + "etc/passwd").toByteArray());
            String images = holdfast.docker("images", "-q", "--no-trunc").assertOk().out();
            for (Map.Entry<String, byte[]> layer : layers.entrySet()) {
                String name = registry.host() + "/evil/" + layer.getKey() + ":1";
                TarWriter.SavedImage image = TarWriter.savedImage("evil/" + layer.getKey() + ":1", layer.getValue(),
                        List.of("/x"));
                pushRaw(registry, "evil/" + layer.getKey(), layer.getValue(), image.config());
                DockerResult pull = holdfast.docker(TRANSFER, "pull", name);
                assertFalse(pull.ok(), () -> layer.getKey() + ": " + pull);
                assertTrue((pull.stdout() + pull.stderr()).contains("refusing archive entry"), pull::toString);
                try (Stream<Path> written = Files.list(marker)) {
                    assertEquals(List.of(), written.toList(), () -> layer.getKey() + " wrote outside the store");
                }
                assertEquals(images, holdfast.docker("images", "-q", "--no-trunc").assertOk().out());
            }
            assertEquals("ok", holdfast.docker("run", "--rm", "busybox", "echo", "ok").assertOk().out(),
                    "the daemon is unaffected");
        } finally {
            try (Stream<Path> left = Files.walk(marker)) {
                left.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** Uploads a layer and a config and tags a schema 2 manifest of them, straight through the registry API. */
    private static void pushRaw(TestRegistry registry, String repository, byte[] layer, byte[] config)
            throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        String base = "http://" + registry.host() + "/v2/" + repository;
        for (byte[] blob : List.of(layer, config)) {
            HttpResponse<Void> started = http.send(HttpRequest.newBuilder(URI.create(base + "/blobs/uploads/"))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
            String location = started.headers().firstValue("Location").orElseThrow();
            URI upload = URI.create("http://" + registry.host()).resolve(location);
            URI put = URI.create(upload + (upload.getQuery() == null ? "?" : "&") + "digest=sha256:"
                    + TarWriter.sha256(blob));
            HttpResponse<String> done = http.send(HttpRequest.newBuilder(put)
                    .PUT(HttpRequest.BodyPublishers.ofByteArray(blob)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(201, done.statusCode(), done::body);
        }
        String manifest = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.docker.distribution.manifest.v2+json\","
                + "\"config\":{\"mediaType\":\"application/vnd.docker.container.image.v1+json\",\"size\":"
                + config.length + ",\"digest\":\"sha256:" + TarWriter.sha256(config) + "\"},\"layers\":[{\"mediaType\":"
                + "\"application/vnd.docker.image.rootfs.diff.tar\",\"size\":" + layer.length + ",\"digest\":\"sha256:"
                + TarWriter.sha256(layer) + "\"}]}";
        HttpResponse<String> tagged = http.send(HttpRequest.newBuilder(URI.create(base + "/manifests/1"))
                .header("Content-Type", "application/vnd.docker.distribution.manifest.v2+json")
                .PUT(HttpRequest.BodyPublishers.ofString(manifest)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(201, tagged.statusCode(), tagged::body);
    }

    @Test
    void basicAuthNeedsDockerLogin() throws IOException {
        try (TestRegistry registry = TestRegistry.start(holdfast.root().resolve("registry-basic"), "tester",
                "s3cret")) {
            String name = registry.host() + "/compat/basic:1";
            twoLayerImage(name, "basic");
            DockerResult refused = holdfast.docker(TRANSFER, "push", name);
            assertFalse(refused.ok());
            assertTrue((refused.stdout() + refused.stderr()).contains("no basic auth credentials"), refused::toString);

            DockerResult wrong = holdfast.dockerWithInput("nope\n".getBytes(StandardCharsets.UTF_8), "login", "-u",
                    "tester", "--password-stdin", registry.host());
            assertFalse(wrong.ok(), wrong::toString);
            holdfast.dockerWithInput("s3cret\n".getBytes(StandardCharsets.UTF_8), "login", "-u", "tester",
                    "--password-stdin", registry.host()).assertOk();
            holdfast.docker(TRANSFER, "push", name).assertOk();
            holdfast.docker("rmi", name).assertOk();
            holdfast.docker(TRANSFER, "pull", name).assertOk();
            assertEquals("basic", holdfast.docker("run", "--rm", name, "cat", "/content").assertOk().out());
        }
    }
}
