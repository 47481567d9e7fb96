package dev.holdfast.engine.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.holdfast.engine.container.Container;
import dev.holdfast.engine.container.ContainerFilter;
import dev.holdfast.engine.container.ContainerService;
import dev.holdfast.engine.container.ContainerStore;
import dev.holdfast.engine.container.ContainerViews;
import dev.holdfast.engine.exec.ExecTracker;
import dev.holdfast.engine.container.CreateRequest;
import dev.holdfast.engine.container.ExitStatus;
import dev.holdfast.engine.container.Signals;
import dev.holdfast.engine.errdefs.DomainException;
import dev.holdfast.engine.errdefs.ErrorKind;
import dev.holdfast.engine.log.LogCursor;
import dev.holdfast.engine.log.LogFiles;
import dev.holdfast.engine.log.LogQuery;
import dev.holdfast.engine.log.LogReader;
import dev.holdfast.engine.log.LogRotation;
import dev.holdfast.engine.log.LogSink;
import dev.holdfast.engine.time.Timestamps;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

/** {@code /containers/...}: parses what the client sent, calls {@link ContainerService}, shapes the answer. */
public final class ContainerRoutes {
    private final ContainerService service;
    private final ContainerStore store;
    private final ExecTracker execs;

    public ContainerRoutes(ContainerService service, ExecTracker execs) {
        this.service = service;
        this.store = service.store();
        this.execs = execs;
    }

    public void register(Router router) {
        router.post("/containers/create", this::create);
        router.get("/containers/json", this::list);
        router.get("/containers/{id}/json", r -> {
            Container c = container(r);
            return Reply.ok(ContainerViews.inspect(c, service.networking(), service.volumes(), execs.pendingIds(c)));
        });
        router.post("/containers/{id}/start", r -> {
            service.start(container(r));
            return Reply.noContent();
        });
        router.post("/containers/{id}/stop", r -> {
            service.stop(container(r), timeout(r), signal(r).orElse(null), true);
            return Reply.noContent();
        });
        router.post("/containers/{id}/restart", r -> {
            service.restart(container(r), timeout(r));
            return Reply.noContent();
        });
        router.post("/containers/{id}/kill", r -> {
            service.kill(container(r), r.pathParam("id"), signal(r).orElse(Signals.SIGKILL));
            return Reply.noContent();
        });
        router.post("/containers/{id}/rename", r -> {
            service.rename(container(r), r.query("name").orElseThrow(() -> ApiException.badRequest("name is required")));
            return Reply.noContent();
        });
        router.post("/containers/prune", this::prune);
        router.post("/containers/{id}/wait", this::await);
        router.delete("/containers/{id}", r -> {
            if (r.queryBool("link")) {
                service.removeLink(r.pathParam("id"));
            } else {
                service.remove(container(r), r.queryBool("force"), r.queryBool("v"));
            }
            return Reply.noContent();
        });
        // A link's name has a slash of its own: /containers/linker/alias?link=1 when the client did not escape it.
        router.delete("/containers/{id}/{alias}", r -> {
            if (!r.queryBool("link")) {
                throw ApiException.notFound("page not found");
            }
            service.removeLink(r.pathParam("id") + "/" + r.pathParam("alias"));
            return Reply.noContent();
        });
        router.get("/containers/{id}/logs", this::logs);
    }

    private Container container(ApiRequest r) {
        return store.get(r.pathParam("id"));
    }

    private static Optional<Integer> signal(ApiRequest r) {
        return r.query("signal").filter(s -> !s.isEmpty()).map(Signals::parse);
    }

    private static Integer timeout(ApiRequest r) {
        return r.queryLong("t").map(Long::intValue).orElse(null);
    }

    private Reply create(ApiRequest r) {
        requireJson(r);
        CreateRequest request = CreateRequest.parse(r.bodyJson(JsonNode.class));
        Container c = service.create(r.query("name").orElse(null), request);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("Id", c.id());
        body.put("Warnings", List.of());
        return Reply.created(body);
    }

    /** The networks {@code c} is on, name to id, for the {@code network} filter. */
    private Map<String, String> networksOf(Container c) {
        Map<String, String> networks = new LinkedHashMap<>();
        service.networking().networkSummary(c).forEach((name, endpoint) ->
                networks.put(name, String.valueOf(((Map<?, ?>) endpoint).get("NetworkID"))));
        return networks;
    }

    /** dockerd's CheckForJSON: a body is JSON by its Content-Type, or has none. */
    private static void requireJson(ApiRequest r) {
        Optional<String> type = r.header("Content-Type").map(t -> t.split(";")[0].trim());
        if (type.isPresent() && !type.get().isEmpty() && !type.get().equalsIgnoreCase("application/json")) {
            throw ApiException.badRequest("unsupported Content-Type header (" + r.header("Content-Type").get()
                    + "): must be 'application/json'");
        }
    }

    private Reply list(ApiRequest r) {
        Filters filters = Filters.parse(r.query("filters"), ContainerFilter.KEYS);
        ContainerFilter filter = new ContainerFilter(filters, service.images()::idOf,
                ref -> Timestamps.parse(store.get(ref).record().created()), this::networksOf);
        long limit = r.queryLong("limit").orElse(-1L);
        boolean all = r.queryBool("all") || limit > 0 || filter.impliesAll();
        boolean size = r.queryBool("size");
        Instant now = Instant.now();
        Stream<Container> matching = store.all().stream()
                .filter(c -> all || c.record().state().running())
                .filter(filter)
                .sorted(Comparator.comparing((Container c) -> Timestamps.parse(c.record().created())).reversed());
        if (limit > 0) {
            matching = matching.limit(limit);
        }
        return Reply.ok(matching.map(c -> ContainerViews.summary(c, now,
                size ? ContainerViews.sizes(c, service.images()) : null, service.networking(), service.volumes())).toList());
    }

    /** Stopped containers older than {@code until} and matching {@code label}/{@code label!}; their writable layers. */
    private Reply prune(ApiRequest r) {
        Filters filters = Filters.parse(r.query("filters"), Set.of("until", "label", "label!"));
        Instant until = filters.has("until") ? parseTime("until", filters.get("until").get(0)) : null;
        Map<String, Long> sizes = new LinkedHashMap<>();
        List<String> removed = service.prune(c -> {
            boolean matches = filters.pruneLabelsMatch(c.record().config().labels())
                    && (until == null || Timestamps.parse(c.record().created()).isBefore(until));
            if (matches) {
                sizes.put(c.id(), writableSize(c));
            }
            return matches;
        });
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("ContainersDeleted", removed.isEmpty() ? null : removed);
        body.put("SpaceReclaimed", removed.stream().mapToLong(id -> sizes.getOrDefault(id, 0L)).sum());
        return Reply.ok(body);
    }

    /**
     * Registers the waiter, then sends the headers at once: the CLI's {@code docker run} waits for them before it
     * starts the container, and the exit it waits for must not happen before the waiter exists.
     */
    private Reply await(ApiRequest r) throws IOException {
        Container c = container(r);
        CompletableFuture<ExitStatus> exit = service.waitFor(c,
                ContainerService.WaitCondition.parse(r.query("condition").orElse("")));
        ResponseStream out = r.openStream("application/json");
        CompletableFuture<Void> clientGone = new CompletableFuture<>();
        out.closeFuture().addListener(f -> clientGone.complete(null));
        CompletableFuture.anyOf(exit, clientGone).join();
        if (exit.isDone() && out.isOpen()) {
            ExitStatus status = exit.join();
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("StatusCode", status.exitCode());
            body.put("Error", status.error() == null ? null : Map.of("Message", status.error()));
            try {
                out.write(Json.MAPPER.writeValueAsBytes(body));
                out.write("\n".getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                // The client stopped waiting (docker run gives up on its wait when the start fails): nobody to tell.
            }
        }
        out.close();
        return Reply.streamed();
    }

    private Reply logs(ApiRequest r) throws IOException, InterruptedException {
        Container c = container(r);
        if (!r.queryBool("stdout") && !r.queryBool("stderr")) {
            throw ApiException.badRequest("You must choose at least one stream");
        }
        LogQuery query = new LogQuery(r.queryBool("stdout"), r.queryBool("stderr"), time(r, "since"), time(r, "until"),
                tail(r.query("tail")), r.queryBool("timestamps"), r.queryBool("follow"));
        if (!LogRotation.readable(c.record().hostConfig().logConfig())) {
            // dockerd's words: the none driver keeps nothing to read.
            throw new DomainException(ErrorKind.NOT_IMPLEMENTED, "configured logging driver does not support reading",
                    null);
        }
        boolean tty = c.record().config().tty();
        // Ends a follow when the current run ends; a container that is not running has nothing more to say.
        CompletableFuture<?> runEnded = c.currentRunEnd();
        LogReader reader = new LogReader(new LogFiles(c.logPath()));
        try (LogCursor cursor = reader.cursorFor(query)) {
            ResponseStream out = r.openStream(LogSink.contentType(tty, r.version()));
            copyUntilClientLeaves(reader, cursor, query, new LogSink(out, !tty, query.timestamps()), runEnded, out);
            out.close();
        }
        return Reply.streamed();
    }

    /** A client that stops reading early ({@code docker logs | head}) is not an error of ours. */
    private static void copyUntilClientLeaves(LogReader reader, LogCursor cursor, LogQuery query, LogSink sink,
            CompletableFuture<?> runEnded, ResponseStream out) throws IOException, InterruptedException {
        try {
            reader.copy(cursor, query, sink, runEnded, out::isOpen);
        } catch (IOException e) {
            if (out.isOpen()) {
                throw e;
            }
        }
    }

    private static Instant time(ApiRequest r, String name) {
        return r.query(name).filter(v -> !v.isEmpty() && !v.equals("0")).map(v -> parseTime(name, v)).orElse(null);
    }

    private static Instant parseTime(String name, String value) {
        try {
            return Timestamps.parseSinceUntil(value);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(name + ": " + e.getMessage());
        }
    }

    /** {@code all}, empty or negative: everything; otherwise a line count. */
    static long tail(Optional<String> value) {
        String tail = value.orElse("all").trim();
        if (tail.isEmpty() || tail.equals("all")) {
            return -1;
        }
        try {
            return Math.max(-1, Long.parseLong(tail));
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("invalid value for tail: " + tail + ": use a number of lines or \"all\"");
        }
    }

    private long writableSize(Container c) {
        try {
            return service.images().writableSize(c.dir());
        } catch (IOException | UncheckedIOException e) {
            return 0;
        }
    }
}
