package dev.holdfast.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.ContainerLaunchException;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.output.OutputFrame;
import org.testcontainers.containers.startupcheck.OneShotStartupCheckStrategy;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;

/**
 * Testcontainers (docker-java underneath) used the way a Java project uses it, against holdfast.
 *
 * <p>How it finds holdfast: docker-java's configuration reads the {@code DOCKER_HOST} system property (it overrides
 * the environment variable), set here to this class's instance before Testcontainers is first used; Testcontainers
 * uses it with {@code TESTCONTAINERS_DOCKERCONFIG_SOURCE=autoIgnoringUserProperties}. The failsafe plugin
 * (compat-tests/pom.xml) sets that, {@code TESTCONTAINERS_RYUK_DISABLED=true} (Ryuk is a container pulled from
 * Docker Hub; the variable is read from the environment only) and {@code TESTCONTAINERS_CHECKS_DISABLE=true} (the
 * start-up checks run an alpine container), and removes DOCKER_HOST/DOCKER_CONTEXT/TESTCONTAINERS_HOST_OVERRIDE from
 * the test JVM's environment so that a developer's own settings cannot point these tests at another daemon.
 * Testcontainers keeps its client for the whole JVM: only this class may use it.
 *
 * <p>Nothing is pulled: busybox:latest is present (holdfast up loads it) and the default pull policy inspects first
 * (the tests reach no registry on the internet).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TestcontainersTest {

    private static final DockerImageName BUSYBOX = DockerImageName.parse("busybox:latest");

    @AutoClose
    private final HoldfastDaemon holdfast = HoldfastDaemon.start();

    @BeforeAll
    void pointTestcontainersAtHoldfast() {
        assertEquals("true", System.getenv("TESTCONTAINERS_RYUK_DISABLED"),
                "compat-tests/pom.xml sets TESTCONTAINERS_RYUK_DISABLED=true for failsafe");
        assertEquals("true", System.getenv("TESTCONTAINERS_CHECKS_DISABLE"),
                "compat-tests/pom.xml sets TESTCONTAINERS_CHECKS_DISABLE=true for failsafe");
        assertEquals("autoIgnoringUserProperties", System.getenv("TESTCONTAINERS_DOCKERCONFIG_SOURCE"),
                "compat-tests/pom.xml sets TESTCONTAINERS_DOCKERCONFIG_SOURCE for failsafe");
        System.setProperty("DOCKER_HOST", holdfast.dockerHost());
    }

    @AfterAll
    void forgetDockerHost() {
        System.clearProperty("DOCKER_HOST");
    }

    /**
     * First, so that a failure of Testcontainers' set-up is reported here and not by whichever test happens to run
     * first. Inside a container (when /.dockerenv exists) Testcontainers asks for the gateway of the network
     * "bridge" ({@code GET /networks/bridge}) to learn the docker host's address.
     */
    @Test
    @Order(1)
    void testcontainersFindsHoldfastAndItsAddress() {
        DockerClientFactory factory = DockerClientFactory.instance();
        assertTrue(factory.isDockerAvailable(), "Testcontainers finds a docker environment");
        assertEquals(URI.create(holdfast.dockerHost()), factory.getTransportConfig().getDockerHost());
        assertEquals(holdfast.dataDir().toString(), factory.getInfo().getDockerRootDir());
        assertFalse(factory.client().versionCmd().exec().getApiVersion().isBlank());
        String address = factory.dockerHostIpAddress();
        assertFalse(address == null || address.isBlank(), "docker host address");
    }

    @Test
    @Order(2)
    void genericContainerStartsWaitsForItsLogAndStops() {
        String id;
        try (GenericContainer<?> container = new GenericContainer<>(BUSYBOX)
                .withCommand("sh", "-c",
                        "echo ready; i=0; while true; do echo tick $i; i=$((i+1)); sleep 0.2; done")
                .waitingFor(Wait.forLogMessage(".*ready.*", 1))) {
            container.start();
            id = container.getContainerId();
            assertTrue(container.isRunning(), "running after start");
            assertTrue(holdfast.docker("ps", "-q", "--no-trunc").assertOk().stdout().contains(id),
                    "holdfast runs " + id);
            assertEquals("true", holdfast.docker("inspect", "-f", "{{index .Config.Labels \"org.testcontainers\"}}",
                    id).assertOk().out(), "Testcontainers labels its containers");

            Await.until(Duration.ofSeconds(20), () -> container.getLogs().contains("tick 2"), "ticks logged");
            String logs = container.getLogs();
            assertTrue(logs.startsWith("ready\n"), logs);
            assertTrue(logs.contains("tick 0\ntick 1\ntick 2\n"), logs);
            // Read later, the stdout logs hold what was read before and the ticks since: all of it is stdout.
            String stdout = container.getLogs(OutputFrame.OutputType.STDOUT);
            assertTrue(stdout.startsWith(logs), () -> stdout + " does not start with " + logs);
            assertEquals("", container.getLogs(OutputFrame.OutputType.STDERR));
            assertTrue(container.getContainerInfo().getState().getRunning());
            assertTrue(container.getContainerInfo().getState().getPidLong() > 0);

            container.stop();
            assertFalse(container.isRunning());
        }
        // stop() kills and removes (with its volumes) the container.
        Await.until(Duration.ofSeconds(20),
                () -> holdfast.docker("ps", "-aq", "--no-trunc").assertOk().out().isEmpty(),
                "container " + id + " removed");
    }

    @Test
    void environmentLabelsAndStderrReachTheContainer() {
        try (GenericContainer<?> container = new GenericContainer<>(BUSYBOX)
                .withEnv("GREETING", "hello holdfast")
                .withLabel("compat.test", "testcontainers")
                .withCommand("sh", "-c", "echo \"$GREETING\"; echo oops >&2; echo ready; sleep 300")
                .waitingFor(Wait.forLogMessage("ready\\n", 1))) {
            container.start();
            assertEquals("oops\n", container.getLogs(OutputFrame.OutputType.STDERR));
            assertTrue(container.getLogs(OutputFrame.OutputType.STDOUT).startsWith("hello holdfast\n"));
            assertEquals("testcontainers", container.getContainerInfo().getConfig().getLabels().get("compat.test"));
            assertTrue(List.of(container.getContainerInfo().getConfig().getEnv()).contains("GREETING=hello holdfast"));
        }
    }

    /**
     * An exposed port as a user reaches it: {@code getHost()} and {@code getMappedPort(80)}, after Testcontainers' own
     * wait for the port (a check inside the container and a connection from here). Published on all addresses (no
     * HostIp); afterwards the port is released.
     */
    @Test
    void exposedPortIsReachedThroughTheMappedPort() throws java.io.IOException {
        try (GenericContainer<?> web = new GenericContainer<>(BUSYBOX)
                .withExposedPorts(80)
                .withCommand("sh", "-c", "mkdir -p /www && echo 'hello from a testcontainer' > /www/index.html"
                        + " && exec httpd -f -p 80 -h /www")) {
            web.start();
            String host = web.getHost();
            int port = web.getMappedPort(80);
            // Here (inside a container, /.dockerenv) getHost() is the default bridge's gateway: an address of this
            // machine, the host end of the instance's bridge; elsewhere it is localhost.
            java.net.InetAddress address = java.net.InetAddress.getByName(host);
            assertTrue(address.isLoopbackAddress() || java.net.NetworkInterface.getByInetAddress(address) != null,
                    "getHost() is an address of this machine: " + host);
            java.net.http.HttpResponse<String> response;
            try (java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder()
                    .connectTimeout(Duration.ofSeconds(5)).build()) {
                response = http.send(java.net.http.HttpRequest.newBuilder(
                                URI.create("http://" + host + ":" + port + "/index.html")).timeout(Duration.ofSeconds(5)).build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
            assertEquals(200, response.statusCode(), response::toString);
            assertEquals("hello from a testcontainer\n", response.body());
            assertEquals("0.0.0.0:" + port, holdfast.docker("port", web.getContainerId(), "80/tcp").assertOk().out()
                    .lines().findFirst().orElse(""));
            web.stop();
            Await.until(Duration.ofSeconds(20), () -> Loopback.refuses(port), "the mapped port is released");
        }
    }

    @Test
    void oneShotContainersReportTheirExitCode() {
        try (GenericContainer<?> ok = new GenericContainer<>(BUSYBOX)
                .withCommand("sh", "-c", "echo done")
                .withStartupCheckStrategy(new OneShotStartupCheckStrategy().withTimeout(Duration.ofSeconds(30)))) {
            ok.start();
            assertEquals("done\n", ok.getLogs());
            assertEquals(0L, ok.getCurrentContainerInfo().getState().getExitCodeLong());
        }
        try (GenericContainer<?> failing = new GenericContainer<>(BUSYBOX)
                .withCommand("sh", "-c", "echo failing; exit 3")
                .withStartupCheckStrategy(new OneShotStartupCheckStrategy().withTimeout(Duration.ofSeconds(30)))) {
            ContainerLaunchException e = assertThrows(ContainerLaunchException.class, failing::start);
            assertTrue(String.valueOf(e.getMessage()).contains("Container startup failed"), e::toString);
        }
    }
}
