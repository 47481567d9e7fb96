package dev.holdfast.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/**
 * docker-compose (the Python 1.29 that Debian ships, {@code /usr/bin/docker-compose}) against holdfast: a project of
 * two services on a network of its own, one publishing a port on 127.0.0.1; the other reaches it by service name;
 * {@code down} removes containers and network.
 */
class ComposeTest {

    private static final Duration COMPOSE_TIMEOUT = Duration.ofMinutes(2);

    @AutoClose
    private final HoldfastDaemon holdfast = HoldfastDaemon.start();

    @Test
    void twoServicesOnAProjectNetworkFindEachOtherByServiceName() throws IOException {
        String project = "hfc" + Long.toHexString(System.nanoTime() & 0xffffff);
        int port = Loopback.freePort();
        Path dir = Files.createDirectories(holdfast.root().resolve("compose"));
        Path www = Files.createDirectories(dir.resolve("www"));
        Files.writeString(www.resolve("index.html"), "served by compose\n");
        Files.writeString(dir.resolve("docker-compose.yml"), """
                version: "2.4"
                services:
                  web:
                    image: busybox:latest
                    command: ["httpd", "-f", "-p", "80", "-h", "/www"]
                    volumes: ["%s:/www:ro"]
                    ports: ["127.0.0.1:%d:80"]
                    networks: [appnet]
                  client:
                    image: busybox:latest
                    command: ["sleep", "3600"]
                    networks: [appnet]
                networks:
                  appnet: {}
                """.formatted(www, port));

        try {
            compose(dir, project, "up", "-d").assertOk();
            List<String> names = docker("ps", "--filter", "label=com.docker.compose.project=" + project, "--format",
                    "{{.Names}}").assertOk().out().lines().sorted().toList();
            assertEquals(List.of(project + "_client_1", project + "_web_1"), names);
            assertTrue(docker("network", "ls", "--format", "{{.Name}}").assertOk().out().lines()
                    .anyMatch((project + "_appnet")::equals), "the project network exists");

            // client -> web by service name, over the project network.
            String fetched = Await.value(Duration.ofSeconds(30),
                    () -> compose(dir, project, "exec", "-T", "client", "wget", "-qO-", "http://web/index.html"),
                    DockerResult::ok, "client fetches http://web/index.html").stdout();
            assertEquals("served by compose\n", fetched);
            // The test -> web through the published port.
            Await.value(Duration.ofSeconds(30), () -> Loopback.getOrFail(port, "/index.html"),
                    r -> r.status() == 200 && r.body().equals("served by compose\n"), "127.0.0.1:" + port + " answers");
            assertEquals("127.0.0.1:" + port, compose(dir, project, "port", "web", "80").assertOk().out());

            compose(dir, project, "down").assertOk();
            assertEquals("", docker("ps", "-a", "--filter", "label=com.docker.compose.project=" + project, "-q")
                    .assertOk().out(), "down removes the containers");
            assertTrue(docker("network", "ls", "--format", "{{.Name}}").assertOk().out().lines()
                    .noneMatch((project + "_appnet")::equals), "down removes the network");
            Await.until(Duration.ofSeconds(30), () -> Loopback.refuses(port), "the published port is released");
        } finally {
            compose(dir, project, "down", "--timeout", "1");
        }
    }

    /** {@code docker-compose --project-directory DIR -f DIR/docker-compose.yml -p PROJECT ARGS…} against holdfast. */
    private DockerResult compose(Path dir, String project, String... args) {
        List<String> command = new ArrayList<>(List.of(System.getProperty("holdfast.compose", "docker-compose"),
                "--ansi", "never", "--project-directory", dir.toString(), "-f", dir.resolve("docker-compose.yml").toString(),
                "-p", project));
        command.addAll(Arrays.asList(args));
        return HoldfastDaemon.run(command, Map.of("DOCKER_HOST", holdfast.dockerHost(), "COMPOSE_INTERACTIVE_NO_CLI", "1"),
                null, COMPOSE_TIMEOUT);
    }

    private DockerResult docker(String... args) {
        return holdfast.docker(args);
    }
}
