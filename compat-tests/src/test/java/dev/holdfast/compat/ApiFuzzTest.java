package dev.holdfast.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * API fuzzing against a real engine: random and mutated requests (methods, paths and path parameters, API versions,
 * query strings, headers, JSON bodies, chunked, truncated and garbage requests, and a slow client). Every answer is well-formed HTTP
 * with a status below 500 (4xx with Docker's {@code {"message": ...}} body), or one of the documented 5xx; the
 * engine keeps answering and its memory stays flat. Endpoints that reach a registry (no internet in tests), stream
 * until a container exits, or could delete the busybox image are not sent. {@code jqwik.tries.default} (400, in
 * junit-platform.properties) bounds a run; jqwik prints the seed of a failure to replay it (see docs/fuzzing.md).
 */
class ApiFuzzTest {
    /** 5xx answers the API documents for these paths: swarm endpoints on a node that is not a swarm manager. */
    private static final Pattern DOCUMENTED_503 = Pattern.compile(
            "^(/v[0-9.]+)?/+(swarm|nodes|services|tasks|secrets|configs)\\b.*");
    private static final long RSS_GROWTH_LIMIT_KIB = 48 * 1024;

    private static HoldfastDaemon holdfast;
    private static EngineHttp http;
    private static long rssAfterWarmUp;
    private static long threadsAfterWarmUp;
    /** Netty's and the JDK's pools may start a few threads late; a leak per request would be hundreds. */
    private static final long THREAD_GROWTH_LIMIT = 16;

    @BeforeContainer
    static void startEngine() {
        holdfast = HoldfastDaemon.start();
        http = new EngineHttp(holdfast.socket());
        holdfast.docker("create", "--name", "fuzzed", "busybox", "true").assertOk();
        holdfast.docker("run", "-d", "--name", "fuzzed-running", "busybox", "sh", "-c",
                "i=0; while true; do echo $i; i=$((i+1)); sleep 0.1; done").assertOk();
        holdfast.docker("volume", "create", "fuzzed").assertOk();
        holdfast.docker("network", "create", "fuzzed").assertOk();
        // The engine's code paths warm up (JIT, pools) before its memory is taken as the baseline.
        for (int i = 0; i < 200; i++) {
            http.get("/v1.47/containers/json?all=1");
            http.post("/v1.47/containers/create", "application/json", "{\"Image\":\"nope\"}");
        }
        rssAfterWarmUp = engineRssKib();
        threadsAfterWarmUp = engineThreads();
    }

    @AfterContainer
    static void stopEngine() {
        try {
            assertEquals("OK", http.get("/_ping").text(), "the engine answers after the fuzzing");
            long growth = engineRssKib() - rssAfterWarmUp;
            assertTrue(growth < RSS_GROWTH_LIMIT_KIB, "engine RSS grew by " + growth + " KiB during the fuzzing");
            long threads = engineThreads() - threadsAfterWarmUp;
            assertTrue(threads < THREAD_GROWTH_LIMIT, "the engine has " + threads + " more threads after the fuzzing");
        } finally {
            holdfast.close();
        }
    }

    @Property
    void everyRequestGetsADockerAnswer(@ForAll("requests") FuzzRequest request) {
        EngineHttp.Response answer = http.raw(request.bytes(), request.method().equals("HEAD"));
        assertDockerAnswer(request.path(), answer, request.toString());
    }

    @Property(tries = 60)
    void brokenHttpGetsA400OrAClosedConnectionAndNothingElse(@ForAll("brokenRequests") byte[] request) {
        EngineHttp.Response answer = http.rawThenEnd(request);
        if (answer != null) {
            assertTrue(answer.status() < 500, "broken request answered " + answer + "\nrequest: "
                    + new String(request, StandardCharsets.ISO_8859_1));
        }
        assertEquals("OK", http.get("/_ping").text());
    }

    /**
     * The endpoints that stream until a container exits or the client leaves (attach, logs, events, wait, stats, exec
     * start), with fuzzed parameters, upgrade or not, and stdin bytes after the request: each answers with a Docker
     * status at once, streams, and is left by the client after {@link #STREAM_BUDGET}.
     */
    @Property(tries = 60)
    void everyStreamingRequestGetsADockerAnswer(@ForAll("streamingRequests") StreamingRequest request) {
        String path = request.path();
        if (request.execCommand() != null) {
            EngineHttp.Response exec = http.post("/v1.47/containers/fuzzed-running/exec", "application/json",
                    request.execCommand());
            assertEquals(201, exec.status(), exec::toString);
            path = path.replace("{exec}", exec.json().get("Id").asText());
        }
        byte[] bytes = request.bytes(path);
        EngineHttp.Response answer = http.stream(bytes, STREAM_BUDGET, 64 * 1024);
        assertDockerAnswer(path, answer, request.toString());
        if (answer.status() == 101) {
            assertEquals("Upgrade", answer.headers().get("connection"), answer::toString);
        }
    }

    /** Found by the streaming property: an exec start without a body answered 500 (a NullPointerException). */
    @Example
    void anExecStartWithoutABodyRunsAttached() {
        EngineHttp.Response exec = http.post("/v1.47/containers/fuzzed-running/exec", "application/json",
                "{\"Cmd\":[\"echo\",\"hi\"],\"AttachStdout\":true}");
        assertEquals(201, exec.status(), exec::toString);
        byte[] start = ("POST /v1.47/exec/" + exec.json().get("Id").asText() + "/start HTTP/1.1\r\nHost: x\r\n"
                + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        EngineHttp.Response answer = http.stream(start, Duration.ofSeconds(20), 4096);
        assertEquals(200, answer.status(), answer::toString);
        assertTrue(answer.text().contains("hi\n"), answer::toString);
    }

    /** A client that dribbles its request a byte every 10 ms holds up nobody, and is answered when it is done. */
    @Example
    void aSlowClientHoldsUpNobody() throws Exception {
        byte[] request = "POST /v1.47/containers/create HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                .concat("Content-Length: 2\r\nConnection: close\r\n\r\n{}").getBytes(StandardCharsets.US_ASCII);
        CompletableFuture<EngineHttp.Response> slow = CompletableFuture.supplyAsync(() -> http.slowly(request, 10));
        while (!slow.isDone()) {
            long start = System.nanoTime();
            assertEquals("OK", http.get("/_ping").text());
            assertTrue(System.nanoTime() - start < 2_000_000_000L, "a quick request waited behind a slow client");
        }
        assertEquals(400, slow.join().status(), slow.join().toString());
    }

    private static void assertDockerAnswer(String path, EngineHttp.Response answer, String request) {
        int status = answer.status();
        if (status >= 500) {
            assertTrue(status == 503 && DOCUMENTED_503.matcher(path).matches(),
                    "a 5xx the API does not document: " + answer + "\nrequest: " + request);
        }
        if (status >= 400 && !request.startsWith("HEAD")) {
            String message = answer.message();
            assertTrue(!message.isBlank(), "an error without a message: " + answer + "\nrequest: " + request);
        }
    }

    // ---- generators -------------------------------------------------------------------------------------------

    /** A request as sent: the raw bytes and, for the report, what was generated. */
    record FuzzRequest(String method, String path, String query, List<String> headers, byte[] body, boolean chunked) {
        byte[] bytes() {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            StringBuilder head = new StringBuilder(method + " " + path + query + " HTTP/1.1\r\nHost: holdfast\r\n"
                    + "Connection: close\r\n");
            headers.forEach(h -> head.append(h).append("\r\n"));
            if (body != null) {
                head.append(chunked ? "Transfer-Encoding: chunked\r\n" : "Content-Length: " + body.length + "\r\n");
            }
            out.writeBytes(head.append("\r\n").toString().getBytes(StandardCharsets.UTF_8));
            if (body != null && chunked) {
                for (int at = 0; at < body.length; at += 7) {
                    int n = Math.min(7, body.length - at);
                    out.writeBytes((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.write(body, at, n);
                    out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
                }
                out.writeBytes("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            } else if (body != null) {
                out.writeBytes(body);
            }
            return out.toByteArray();
        }

        @Override
        public String toString() {
            List<String> shortHeaders = headers.stream().map(h -> h.length() > 80 ? h.substring(0, 80) + "..." : h)
                    .toList();
            return method + " " + path + query + " " + shortHeaders + (chunked ? " chunked" : "") + " body: "
                    + (body == null ? "none" : new String(body, StandardCharsets.UTF_8));
        }
    }

    /** Endpoints of the v1.47 spec; {id} and {name} are filled with existing, missing and mangled names. */
    private static final List<String> ENDPOINTS = List.of(
            "GET /_ping", "HEAD /_ping", "GET /version", "GET /info", "GET /system/df", "GET /containers/json",
            "POST /containers/create", "GET /containers/{id}/json", "GET /containers/{id}/top",
            "GET /containers/{id}/changes", "GET /containers/{id}/export", "POST /containers/{id}/start",
            "POST /containers/{id}/stop", "POST /containers/{id}/restart", "POST /containers/{id}/kill",
            "POST /containers/{id}/update", "POST /containers/{id}/rename", "POST /containers/{id}/pause",
            "POST /containers/{id}/unpause", "POST /containers/{id}/resize", "DELETE /containers/{id}",
            "HEAD /containers/{id}/archive", "GET /containers/{id}/archive", "PUT /containers/{id}/archive",
            "POST /containers/{id}/exec", "GET /exec/{id}/json", "POST /exec/{id}/resize", "POST /containers/prune",
            "GET /images/json", "GET /images/{name}/json", "GET /images/{name}/history", "POST /images/{name}/tag",
            "GET /images/search", "GET /images/get", "GET /images/{name}/get", "POST /images/load",
            "POST /commit", "GET /networks", "GET /networks/{id}", "POST /networks/create",
            "POST /networks/{id}/connect", "POST /networks/{id}/disconnect", "DELETE /networks/{id}",
            "POST /networks/prune", "GET /volumes", "POST /volumes/create", "GET /volumes/{name}",
            "DELETE /volumes/{name}", "POST /volumes/prune", "GET /swarm", "GET /nodes", "GET /services",
            "GET /plugins", "GET /nonexistent/path", "PATCH /containers/json");

    /** How long a streaming answer is read before the client hangs up. */
    private static final Duration STREAM_BUDGET = Duration.ofMillis(300);

    /**
     * A request to a streaming endpoint; {@code execCommand} (an exec create body) is sent first when the path
     * names {@code {exec}}, which is then that exec's id.
     */
    record StreamingRequest(String method, String path, String query, boolean upgrade, String execCommand,
            String body, byte[] stdin) {
        byte[] bytes(String resolvedPath) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            StringBuilder head = new StringBuilder(method + " " + resolvedPath + query + " HTTP/1.1\r\nHost: holdfast\r\n");
            head.append(upgrade ? "Connection: Upgrade\r\nUpgrade: tcp\r\n" : "Connection: close\r\n");
            byte[] content = body == null ? null : body.getBytes(StandardCharsets.UTF_8);
            if (content != null) {
                head.append("Content-Type: application/json\r\nContent-Length: ").append(content.length).append("\r\n");
            }
            out.writeBytes(head.append("\r\n").toString().getBytes(StandardCharsets.UTF_8));
            if (content != null) {
                out.writeBytes(content);
            }
            out.writeBytes(stdin);
            return out.toByteArray();
        }

        @Override
        public String toString() {
            return method + " " + path + query + (upgrade ? " upgrade" : "") + (execCommand == null ? ""
                    : " exec " + execCommand) + " body: " + body + " stdin: "
                    + new String(stdin, StandardCharsets.ISO_8859_1);
        }
    }

    @Provide
    Arbitrary<StreamingRequest> streamingRequests() {
        Arbitrary<String> container = Arbitraries.of("fuzzed-running", "fuzzed-running", "fuzzed", "fuzzed-missing",
                "%ZZ", "..");
        Arbitrary<String> value = Arbitraries.of("", "1", "0", "true", "false", "-1", "abc", "99999999999999999999",
                "%ZZ", "1e3", "2026-12-04T00:00:00Z", "ctrl-x,y", "ctrl-", "not-running", "next-exit", "removed",
                "%7B%22type%22%3A%5B%22container%22%5D%7D", "%7B");
        Arbitrary<String> attachQuery = query(value, "stream", "stdin", "stdout", "stderr", "logs", "detachKeys");
        Arbitrary<StreamingRequest> attach = Combinators.combine(container, attachQuery, Arbitraries.of(true, false),
                stdin()).as((c, q, up, in) -> new StreamingRequest("POST", "/v1.47/containers/" + c + "/attach", q,
                        up, null, null, in));
        Arbitrary<StreamingRequest> logs = Combinators.combine(container, query(value, "follow", "stdout", "stderr",
                "since", "until", "timestamps", "tail", "details")).as((c, q) -> new StreamingRequest("GET",
                        "/v1.47/containers/" + c + "/logs", q, false, null, null, new byte[0]));
        Arbitrary<StreamingRequest> events = query(value, "since", "until", "filters").map(q ->
                new StreamingRequest("GET", "/v1.47/events", q, false, null, null, new byte[0]));
        Arbitrary<StreamingRequest> waits = Combinators.combine(container, query(value, "condition")).as((c, q) ->
                new StreamingRequest("POST", "/v1.47/containers/" + c + "/wait", q, false, null, null, new byte[0]));
        Arbitrary<StreamingRequest> stats = Combinators.combine(container, query(value, "stream", "one-shot"))
                .as((c, q) -> new StreamingRequest("GET", "/v1.47/containers/" + c + "/stats", q, false, null, null,
                        new byte[0]));
        Arbitrary<String> execCreate = Combinators.combine(Arbitraries.of("[\"cat\"]", "[\"echo\",\"hi\"]",
                        "[\"sleep\",\"5\"]", "[\"sh\",\"-c\",\"yes | head -c 200000\"]", "[\"nosuchcommand\"]"),
                Arbitraries.of(true, false), Arbitraries.of(true, false)).as((cmd, in, tty) -> "{\"Cmd\":" + cmd
                        + ",\"AttachStdin\":" + in + ",\"AttachStdout\":true,\"AttachStderr\":true,\"Tty\":"
                        + tty + "}");
        Arbitrary<String> execStart = Arbitraries.oneOf(Combinators.combine(Arbitraries.of(true, false),
                        Arbitraries.of(true, false)).as((detach, tty) -> "{\"Detach\":" + detach + ",\"Tty\":" + tty
                        + "}"), json(2), Arbitraries.just((String) null));
        Arbitrary<StreamingRequest> execs = Combinators.combine(execCreate, execStart, Arbitraries.of(true, false),
                stdin()).as((create, start, up, in) -> new StreamingRequest("POST", "/v1.47/exec/{exec}/start", "",
                        up, create, start, in));
        return Arbitraries.oneOf(attach, logs, events, waits, stats, execs, execs);
    }

    /** Up to three of {@code keys} with fuzzed values, as a query string. */
    private static Arbitrary<String> query(Arbitrary<String> value, String... keys) {
        return Combinators.combine(Arbitraries.of(keys), value).as((k, v) -> k + "=" + v).list().ofMaxSize(3)
                .map(pairs -> pairs.isEmpty() ? "" : "?" + String.join("&", pairs));
    }

    /** What a client types after the request: nothing, text, the detach keys, a terminal's control bytes. */
    private static Arbitrary<byte[]> stdin() {
        return Arbitraries.oneOf(Arbitraries.just(""), Arbitraries.of("hello\n", "\u0010\u0011", "\u0003\u0004",
                        "\u0018y"), Arbitraries.strings().ofMaxLength(64))
                .map(s -> s.getBytes(StandardCharsets.UTF_8));
    }

    private static final List<String> VERSIONS = List.of("", "/v1.24", "/v1.41", "/v1.47", "/v1.48", "/v1.12",
            "/v0", "/vx.y", "/v1.47/");

    @Provide
    Arbitrary<FuzzRequest> requests() {
        Arbitrary<String> endpoint = Arbitraries.of(ENDPOINTS);
        return Combinators.combine(endpoint, Arbitraries.of(VERSIONS), names(), queries(), headers(), bodies(),
                Arbitraries.integers().between(0, 5)).as((e, version, name, query, headers, body, mode) -> {
                    String method = e.substring(0, e.indexOf(' '));
                    String path = version + e.substring(e.indexOf(' ') + 1).replace("{id}", name)
                            .replace("{name}", name);
                    return new FuzzRequest(method, path, query, headers, body, mode == 0 && body != null);
                });
    }

    private static Arbitrary<String> names() {
        return Arbitraries.oneOf(Arbitraries.of("fuzzed", "fuzzed-missing", "0", "..", "%2e%2e", "%2F", "a%00b",
                        "%ZZ", "nä me", "x".repeat(300), "sha256:" + "f".repeat(64), "bridge", "host"),
                Arbitraries.strings().withCharRange('!', '~').excludeChars('/', '?', '#', ' ').ofMinLength(1)
                        .ofMaxLength(20))
                .filter(n -> !n.startsWith("busybox"));
    }

    private static Arbitrary<String> queries() {
        Arbitrary<String> key = Arbitraries.of("all", "filters", "limit", "force", "v", "t", "signal", "name", "size",
                "tag", "repo", "h", "w", "path", "noOverwriteDirToNonDir", "stream", "ps_args", "x");
        Arbitrary<String> value = Arbitraries.oneOf(Arbitraries.of("", "1", "0", "true", "false", "-1",
                        "99999999999999999999", "abc", "%7B", "%ZZ", "{\"label\":[\"a\"]}", "{\"status\":{\"running\":true}}",
                        "{\"status\":[\"bogus\"]}", "[1,2]", "SIGKILL", "SIGNOPE", "/", "/etc/passwd"),
                Arbitraries.strings().withCharRange('!', '~').excludeChars('&', '#', ' ').ofMaxLength(12));
        return Combinators.combine(key, value).as((k, v) -> k + "=" + v.replace("{", "%7B").replace("}", "%7D")
                        .replace("\"", "%22").replace("[", "%5B").replace("]", "%5D"))
                .list().ofMaxSize(4).map(pairs -> pairs.isEmpty() ? "" : "?" + String.join("&", pairs));
    }

    private static Arbitrary<List<String>> headers() {
        return Arbitraries.of("Content-Type: application/json", "Content-Type: text/plain",
                        "Content-Type: application/x-tar", "Content-Type: application/json; charset=utf-8",
                        "Content-Type: ", "X-Registry-Auth: e30=", "X-Registry-Auth: !!notbase64",
                        "Accept: */*", "X-Long: " + "h".repeat(4000))
                .list().ofMaxSize(3);
    }

    private static Arbitrary<byte[]> bodies() {
        Arbitrary<String> valid = Arbitraries.of("{\"Image\":\"busybox\",\"Cmd\":[\"true\"]}",
                "{\"Name\":\"fuzznet\",\"Driver\":\"bridge\"}", "{\"Name\":\"fuzzvol\"}", "{\"Memory\":4194304}");
        Arbitrary<String> mutated = Combinators.combine(Arbitraries.of("Image", "Cmd", "Env", "HostConfig",
                        "ExposedPorts", "Labels", "Name", "Driver", "Memory", "NetworkingConfig", "Healthcheck"), json(3))
                .as((field, value) -> "{\"Image\":\"busybox\",\"" + field + "\":" + value + "}");
        Arbitrary<String> truncated = valid.map(v -> v.substring(0, v.length() / 2));
        // Nesting past Jackson's limit of 1000 levels, and numbers no Java integer holds, where the API wants one.
        Arbitrary<String> extreme = Arbitraries.of("[".repeat(1500) + "]".repeat(1500),
                "{\"Image\":\"busybox\",\"HostConfig\":{\"Memory\":1e400}}",
                "{\"Image\":\"busybox\",\"StopTimeout\":99999999999999999999}");
        return Arbitraries.oneOf(Arbitraries.just((String) null), valid, mutated, json(3), truncated, extreme,
                        Arbitraries.strings().ofMaxLength(40))
                .map(b -> b == null ? null : b.getBytes(StandardCharsets.UTF_8));
    }

    /** Random JSON values up to {@code depth} levels of nesting. */
    private static Arbitrary<String> json(int depth) {
        Arbitrary<String> scalar = Arbitraries.oneOf(Arbitraries.of("null", "true", "false", "0", "-1", "1e999",
                        "123456789012345678901234567890", "\"\"", "\"busybox\"", "\"a\\u0000b\"", "3.5"),
                Arbitraries.strings().alpha().ofMaxLength(8).map(s -> "\"" + s + "\""));
        if (depth == 0) {
            return scalar;
        }
        Arbitrary<String> inner = json(depth - 1);
        Arbitrary<String> array = inner.list().ofMaxSize(3).map(l -> "[" + String.join(",", l) + "]");
        Arbitrary<String> object = Combinators.combine(Arbitraries.of("Image", "Cmd", "Name", "x", "Memory",
                        "PortBindings", "Binds", ""), inner).as((k, v) -> "\"" + k + "\":" + v)
                .list().ofMaxSize(3).map(l -> "{" + String.join(",", l) + "}");
        return Arbitraries.oneOf(scalar, array, object);
    }

    @Provide
    Arbitrary<byte[]> brokenRequests() {
        Arbitrary<String> broken = Arbitraries.oneOf(
                Arbitraries.of("GET\r\n\r\n", "GET / HTTP/9.9\r\n\r\n", " / HTTP/1.1\r\n\r\n",
                        "GET /_ping HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n",
                        "POST /containers/create HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n{}",
                        "POST /containers/create HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n",
                        "POST /containers/create HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 9\r\n\r\n{}",
                        "GET /" + "a".repeat(20000) + " HTTP/1.1\r\nHost: x\r\n\r\n",
                        "GET /_ping HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n"),
                Arbitraries.strings().ofMaxLength(200).map(s -> s + "\r\n\r\n"));
        return broken.map(s -> s.getBytes(StandardCharsets.ISO_8859_1));
    }

    // ---- plumbing ---------------------------------------------------------------------------------------------

    private static long engineThreads() {
        return engineStatus("Threads:");
    }

    private static long engineRssKib() {
        return engineStatus("VmRSS:");
    }

    /** A number from /proc/PID/status of the engine (VmRSS in KiB, Threads). */
    private static long engineStatus(String field) {
        try {
            String pid = Files.readString(holdfast.runDir().resolve("engine.pid")).trim();
            return Files.readAllLines(Path.of("/proc", pid, "status")).stream().filter(l -> l.startsWith(field))
                    .mapToLong(l -> Long.parseLong(l.replaceAll("\\D", ""))).findFirst().orElseThrow();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
