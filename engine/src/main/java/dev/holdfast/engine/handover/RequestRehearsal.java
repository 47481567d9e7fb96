package dev.holdfast.engine.handover;

import dev.holdfast.engine.api.ApiServer;
import dev.holdfast.engine.api.Router;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.logging.Logger;

/**
 * A restart's new engine sends the commonest read-only requests through its whole HTTP path (epoll transport, codec,
 * dispatcher, routes, JSON) on a socket of its own, before go: the first clients after the takeover would otherwise
 * wait for that code's first, cold run (most of the longest wait of a graceful restart, measured). Run once, the
 * code is loaded but still interpreted: a first rehearsal repeats the requests until C1 has compiled what they run
 * (its thresholds are a few hundred calls and loop turns). Nothing is changed: the requests only read what the
 * engine read ahead.
 */
public final class RequestRehearsal {
    private static final Logger LOG = Logger.getLogger(RequestRehearsal.class.getName());
    private static final List<String> PATHS = List.of("/_ping", "/v1.47/version", "/v1.47/containers/json",
            "/v1.47/containers/json?all=1", "/v1.47/images/json", "/v1.47/info");
    private static final Duration LIMIT = Duration.ofSeconds(5);
    /**
     * Rounds of a first rehearsal: with 50 containers, the longest waits of five graceful restarts went from 72-99 ms
     * with one round to 44-73 (and one 110) with these (measured by hand on a 2-core machine).
     */
    public static final int WARMING_ROUNDS = 25;

    private RequestRehearsal() {}

    /**
     * Serves {@code router} on {@code socket} (a path of this engine's own) for {@code rounds} of the requests, fewer
     * once {@code enough} says so, then removes it.
     */
    public static void run(Path socket, Router router, String serverVersion, int rounds, BooleanSupplier enough)
            throws IOException {
        Files.deleteIfExists(socket);
        try (ApiServer server = ApiServer.bind(socket, router, serverVersion)) {
            Thread client = Thread.ofVirtual().name("engine-request-rehearsal").start(() -> {
                for (int round = 0; round < rounds && !Thread.currentThread().isInterrupted()
                        && (round == 0 || !enough.getAsBoolean()); round++) {
                    PATHS.forEach(path -> get(socket, path));
                }
            });
            if (!client.join(LIMIT)) {
                client.interrupt();
                LOG.warning("the request rehearsal on " + socket + " took over " + LIMIT.toSeconds() + " s; left");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            Files.deleteIfExists(socket);
        }
    }

    private static void get(Path socket, String path) {
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(socket));
            channel.write(ByteBuffer.wrap(("GET " + path + " HTTP/1.1\r\nHost: holdfast\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII)));
            ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            while (channel.read(buffer.clear()) > 0) {
                answer.write(buffer.array(), 0, buffer.position());
            }
            if (!answer.toString(StandardCharsets.US_ASCII).startsWith("HTTP/1.1 200")) {
                LOG.fine("request rehearsal: GET " + path + " was not answered 200");
            }
        } catch (IOException e) {
            LOG.fine("request rehearsal: GET " + path + ": " + e.getMessage());
        }
    }
}
