package dev.holdfast.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code docker push}, {@code pull} and {@code login} against Debian's docker-registry on 127.0.0.1: anonymous,
 * behind a bearer-token front (which also cuts a download halfway: the pull resumes it), and with Basic auth.
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
            holdfast.dockerWithInput(java.nio.file.Files.readAllBytes(holdfast.home().resolve("build/busybox.tar")),
                    "load").assertOk();
        }
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
