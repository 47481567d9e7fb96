package dev.holdfast.compat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A registry front that wants a bearer token, as Docker Hub does: requests without {@code Authorization: Bearer
 * TOKEN} get a 401 whose {@code WWW-Authenticate} names this proxy's {@code /token} realm, which hands out TOKEN
 * for the right user and password (or anyone, with a null user). Everything else is forwarded to the registry
 * behind. With {@link #cutFirstLargeBlob}, the first layer download (a blob over 64 KiB) is cut off halfway.
 */
final class TokenProxy implements AutoCloseable {
    private static final Set<String> HOP_HEADERS = Set.of("connection", "content-length", "transfer-encoding",
            "host", "keep-alive", "upgrade", "date");

    private final HttpServer server;
    private final String backend;
    private final String token = UUID.randomUUID().toString();
    private final String basic;
    private final HttpClient client = HttpClient.newHttpClient();
    private final AtomicBoolean cut = new AtomicBoolean();
    final AtomicInteger tokensIssued = new AtomicInteger();
    final AtomicInteger rangeRequests = new AtomicInteger();
    final AtomicInteger cuts = new AtomicInteger();

    private TokenProxy(String backend, String user, String password) throws IOException {
        this.backend = backend;
        this.basic = user == null ? null : "Basic " + java.util.Base64.getEncoder().encodeToString(
                (user + ":" + password).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/token", this::token);
        server.createContext("/", this::forward);
        server.start();
    }

    static TokenProxy start(String backendHost, String user, String password) throws IOException {
        return new TokenProxy(backendHost, user, password);
    }

    TokenProxy cutFirstLargeBlob() {
        cut.set(true);
        return this;
    }

    String host() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    private void token(HttpExchange exchange) throws IOException {
        String auth = exchange.getRequestHeaders().getFirst("Authorization");
        if (basic != null && !basic.equals(auth)) {
            respond(exchange, 401, "{\"details\":\"wrong user or password\"}");
            return;
        }
        tokensIssued.incrementAndGet();
        respond(exchange, 200, "{\"token\":\"" + token + "\",\"expires_in\":300}");
    }

    private void forward(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!("Bearer " + token).equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"http://" + host()
                        + "/token\",service=\"token-proxy\"");
                respond(exchange, 401, "{\"errors\":[{\"code\":\"UNAUTHORIZED\"}]}");
                return;
            }
            URI target = URI.create("http://" + backend + exchange.getRequestURI());
            HttpRequest.Builder request = HttpRequest.newBuilder(target);
            exchange.getRequestHeaders().forEach((name, values) -> {
                if (!HOP_HEADERS.contains(name.toLowerCase()) && !name.equalsIgnoreCase("Authorization")) {
                    values.forEach(v -> request.header(name, v));
                }
            });
            if (exchange.getRequestHeaders().containsKey("Range")) {
                rangeRequests.incrementAndGet();
            }
            byte[] body = exchange.getRequestBody().readAllBytes();
            request.method(exchange.getRequestMethod(), body.length == 0 ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofByteArray(body));
            HttpResponse<InputStream> response;
            try {
                response = client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
            response.headers().map().forEach((name, values) -> {
                if (!HOP_HEADERS.contains(name.toLowerCase())) {
                    values.forEach(v -> exchange.getResponseHeaders().add(name,
                            v.replace(backend, host())));
                }
            });
            long length = response.headers().firstValueAsLong("Content-Length").orElse(-1);
            boolean blob = exchange.getRequestMethod().equals("GET") && exchange.getRequestURI().getPath()
                    .contains("/blobs/sha256:");
            boolean cutThis = blob && length > 64 * 1024 && response.statusCode() == 200
                    && cut.compareAndSet(true, false);
            boolean head = exchange.getRequestMethod().equals("HEAD");
            exchange.sendResponseHeaders(response.statusCode(), head || length == 0 ? -1 : length > 0 ? length : 0);
            try (InputStream in = response.body(); OutputStream out = exchange.getResponseBody()) {
                if (cutThis) {
                    out.write(in.readNBytes((int) (length / 2)));
                    out.flush();
                    cuts.incrementAndGet();
                    throw new IOException("cut halfway on purpose"); // the exchange dies with fewer bytes than sent
                }
                if (!head) {
                    in.transferTo(out);
                }
            }
        }
    }

    private static void respond(HttpExchange exchange, int status, String json) throws IOException {
        byte[] bytes = json.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        boolean head = exchange.getRequestMethod().equals("HEAD");
        exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            if (!head) {
                out.write(bytes);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
