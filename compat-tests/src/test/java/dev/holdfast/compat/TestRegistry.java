package dev.holdfast.compat;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Debian's {@code docker-registry} on 127.0.0.1 and a free port, its storage under {@code dir}; with a user, it
 * wants Basic authentication (an htpasswd file with a bcrypt hash, made by Python's crypt).
 */
final class TestRegistry implements AutoCloseable {
    private final Process process;
    private final int port;

    private TestRegistry(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    static TestRegistry start(Path dir, String user, String password) throws IOException {
        Files.createDirectories(dir);
        int port = freePort();
        StringBuilder config = new StringBuilder("""
                version: 0.1
                log:
                  level: warn
                storage:
                  filesystem:
                    rootdirectory: %s
                  delete:
                    enabled: true
                http:
                  addr: 127.0.0.1:%d
                """.formatted(dir.resolve("data"), port));
        if (user != null) {
            String hash = HoldfastDaemon.run(List.of("python3", "-c", "import crypt, sys; print(crypt.crypt(sys.argv[1],"
                    + " crypt.mksalt(crypt.METHOD_BLOWFISH)).replace('$2b$', '$2a$'))", password), Map.of(), null,
                    Duration.ofSeconds(30)).assertOk().out();
            Files.writeString(dir.resolve("htpasswd"), user + ":" + hash + "\n");
            config.append("""
                    auth:
                      htpasswd:
                        realm: test-realm
                        path: %s
                    """.formatted(dir.resolve("htpasswd")));
        }
        Files.writeString(dir.resolve("config.yml"), config);
        Process process = new ProcessBuilder("docker-registry", "serve", dir.resolve("config.yml").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("registry.log").toFile()).start();
        TestRegistry registry = new TestRegistry(process, port);
        Await.until(Duration.ofSeconds(20), registry::listening, "docker-registry listening on 127.0.0.1:" + port);
        return registry;
    }

    int port() {
        return port;
    }

    String host() {
        return "127.0.0.1:" + port;
    }

    private boolean listening() {
        if (!process.isAlive()) {
            throw new IllegalStateException("docker-registry exited with " + process.exitValue());
        }
        try (Socket socket = new Socket("127.0.0.1", port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** Waits for the exit: the instance's purge deletes the storage directory next. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
