package dev.holdfast.engine.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.holdfast.engine.events.Event;
import dev.holdfast.engine.events.EventBus;
import dev.holdfast.engine.image.Image;
import dev.holdfast.engine.image.ImageDetails;
import dev.holdfast.engine.image.ImageDocument;
import dev.holdfast.engine.image.ImageException;
import dev.holdfast.engine.image.ImageFilter;
import dev.holdfast.engine.image.ImageReference;
import dev.holdfast.engine.image.ImageRemoval;
import dev.holdfast.engine.image.ImageStore;
import dev.holdfast.engine.image.ImportRequest;
import dev.holdfast.engine.image.Rfc3339;
import dev.holdfast.engine.registry.Credentials;
import dev.holdfast.engine.registry.Registries;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The image half of the Docker API: list, inspect, history, load, import, tag, remove, prune. Image names hold
 * slashes, so routes take them as {@code {name*}} tail parameters.
 */
public final class ImageRoutes {
    private static final String ZERO_TIME = "0001-01-01T00:00:00Z";

    private final ImageStore store;
    private final Registries registries;
    private final EventBus events;

    public ImageRoutes(ImageStore store, Registries registries, EventBus events) {
        this.store = store;
        this.registries = registries;
        this.events = events;
    }

    public void register(Router router) {
        router.get("/images/json", translated(this::list));
        router.post("/images/load", translated(this::load));
        router.get("/images/get", translated(this::saveMany));
        router.get("/images/{name*}/get", translated(this::saveOne));
        router.post("/images/create", translated(this::create));
        router.post("/images/prune", translated(this::prune));
        router.get("/images/{name*}/json", translated(this::inspect));
        router.get("/images/{name*}/history", translated(this::history));
        router.post("/images/{name*}/tag", translated(this::tag));
        router.post("/images/{name*}/push", translated(this::push));
        router.post("/auth", this::login);
        router.delete("/images/{name*}", translated(this::remove));
    }

    /** Turns the image store's failures into Docker's statuses: 404, 409, 400. */
    /** Maps the image store's error kinds to statuses (image/ still throws its own ImageException). */
    static Endpoint translated(Endpoint endpoint) {
        return request -> {
            try {
                return endpoint.handle(request);
            } catch (ImageException e) {
                HttpResponseStatus status = switch (e.kind()) {
                    case NOT_FOUND -> HttpResponseStatus.NOT_FOUND;
                    case CONFLICT -> HttpResponseStatus.CONFLICT;
                    case INVALID -> HttpResponseStatus.BAD_REQUEST;
                };
                throw new ApiException(status, e.getMessage());
            } catch (ImageReference.InvalidReferenceException e) {
                throw ApiException.badRequest(e.getMessage());
            }
        };
    }

    // --- GET /images/json -------------------------------------------------------------------------------------

    private Reply list(ApiRequest request) {
        ImageFilter filter = ImageFilter.of(filters(request), store);
        List<Map<String, Object>> out = new ArrayList<>();
        List<Image> images = new ArrayList<>(store.list());
        images.sort(Comparator.comparing(Image::created).reversed().thenComparing(Image::id));
        for (Image image : images) {
            Optional<List<String>> tags = filter.select(image);
            if (tags.isEmpty()) {
                continue;
            }
            boolean dangling = tags.get().isEmpty();
            boolean useNone = !request.version().atLeast(1, 43);
            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("Containers", -1);
            summary.put("Created", image.created().getEpochSecond());
            summary.put("Id", image.id());
            summary.put("Labels", image.config().labels().isEmpty() ? null : image.config().labels());
            summary.put("ParentId", "");
            summary.put("RepoDigests", dangling && useNone && image.repoDigests().isEmpty() ? List.of("<none>@<none>")
                    : image.repoDigests());
            summary.put("RepoTags", dangling && useNone ? List.of("<none>:<none>") : tags.get());
            summary.put("SharedSize", -1);
            summary.put("Size", image.size());
            if (!request.version().atLeast(1, 44)) {
                summary.put("VirtualSize", image.size());
            }
            out.add(summary);
        }
        return Reply.ok(out);
    }

    // --- GET /images/{name}/json ------------------------------------------------------------------------------

    private Reply inspect(ApiRequest request) {
        Image image = store.get(request.pathParam("name"));
        ImageDetails details = store.details(image);
        ImageDocument doc = details.document();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("Id", image.id());
        out.put("RepoTags", image.repoTags());
        out.put("RepoDigests", image.repoDigests());
        out.put("Parent", details.parent());
        out.put("Comment", doc.comment());
        if (doc.created() != null) {
            out.put("Created", Rfc3339.format(doc.created()));
        }
        // Gone from API 1.45 on, except for a committed image here: docker-py 5's commit test (negotiating the
        // newest API) looks for them, and a client that does not know them ignores them.
        if (!request.version().atLeast(1, 45) || !doc.container().isEmpty()) {
            out.put("Container", doc.container());
            out.put("ContainerConfig", containerConfig(doc.rawContainerConfig()));
        }
        out.put("DockerVersion", doc.dockerVersion());
        out.put("Author", doc.author());
        out.put("Config", containerConfig(doc.rawConfig()));
        out.put("Architecture", doc.architecture());
        if (!doc.variant().isEmpty()) {
            out.put("Variant", doc.variant());
        }
        out.put("Os", doc.os());
        if (!doc.osVersion().isEmpty()) {
            out.put("OsVersion", doc.osVersion());
        }
        out.put("Size", image.size());
        if (!request.version().atLeast(1, 44)) {
            out.put("VirtualSize", image.size());
        }
        Map<String, Object> graphDriver = new LinkedHashMap<>();
        graphDriver.put("Data", null);
        graphDriver.put("Name", "vfs");
        out.put("GraphDriver", graphDriver);
        Map<String, Object> rootfs = new LinkedHashMap<>();
        rootfs.put("Type", "layers");
        rootfs.put("Layers", doc.diffIds());
        out.put("RootFS", rootfs);
        out.put("Metadata", Map.of("LastTagTime", details.lastTagTime() == null ? ZERO_TIME : details.lastTagTime()));
        return Reply.ok(out);
    }

    /**
     * The image's container defaults in the shape of Docker's container Config: the fields Docker always writes
     * come first with their zero values, then whatever the image sets.
     */
    private static ObjectNode containerConfig(ObjectNode raw) {
        ObjectNode config = Json.MAPPER.createObjectNode();
        config.put("Hostname", "").put("Domainname", "").put("User", "");
        config.put("AttachStdin", false).put("AttachStdout", false).put("AttachStderr", false);
        if (raw.has("ExposedPorts")) {
            config.set("ExposedPorts", raw.get("ExposedPorts"));
        }
        config.put("Tty", false).put("OpenStdin", false).put("StdinOnce", false);
        config.putNull("Env");
        config.putNull("Cmd");
        config.put("Image", "");
        config.putNull("Volumes");
        config.put("WorkingDir", "");
        config.putNull("Entrypoint");
        config.putNull("OnBuild");
        config.putNull("Labels");
        for (Iterator<Map.Entry<String, JsonNode>> it = raw.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            config.set(field.getKey(), field.getValue());
        }
        return config;
    }

    // --- GET /images/{name}/history ---------------------------------------------------------------------------

    private Reply history(ApiRequest request) {
        Image image = store.get(request.pathParam("name"));
        ImageDetails details = store.details(image);
        List<ImageDocument.HistoryEntry> steps = details.document().history();
        List<Map<String, Object>> out = new ArrayList<>();
        int layer = 0;
        for (int i = 0; i < steps.size(); i++) {
            ImageDocument.HistoryEntry step = steps.get(i);
            long size = 0;
            if (!step.emptyLayer() && layer < details.layerSizes().size()) {
                size = details.layerSizes().get(layer++);
            }
            boolean top = i == steps.size() - 1;
            Map<String, Object> item = new LinkedHashMap<>();
            item.put("Comment", step.comment());
            item.put("Created", step.created() == null ? 0 : step.created().getEpochSecond());
            item.put("CreatedBy", step.createdBy());
            item.put("Id", top ? image.id() : "<missing>");
            item.put("Size", size);
            item.put("Tags", top && !image.repoTags().isEmpty() ? image.repoTags() : null);
            out.add(0, item);
        }
        return Reply.ok(out);
    }

    // --- GET /images/{name}/get, /images/get?names= (docker save) --------------------------------------------

    private Reply saveOne(ApiRequest request) throws IOException {
        return save(request, List.of(request.pathParam("name")));
    }

    private Reply saveMany(ApiRequest request) throws IOException {
        List<String> names = request.queryAll("names");
        if (names.isEmpty()) {
            throw ApiException.badRequest("no images named: give names=IMAGE, once per image");
        }
        return save(request, names);
    }

    /** Unknown names are a 404 before the archive starts; a failure while it streams cuts the connection. */
    private Reply save(ApiRequest request, List<String> names) throws IOException {
        List<ResponseStream> opened = new ArrayList<>(1);
        try {
            store.save(names, () -> {
                ResponseStream out = request.openStream("application/x-tar");
                opened.add(out);
                return out;
            });
        } finally {
            opened.forEach(ResponseStream::close);
        }
        names.forEach(name -> imageEvent("save", name, name));
        return Reply.streamed();
    }

    // --- POST /images/load ------------------------------------------------------------------------------------

    /**
     * Everything is unpacked and checked before anything becomes visible. As with dockerd, the answer is a 200
     * stream either way: a bad archive ends it with an {@code errorDetail} message (docker-py raises its
     * ImageLoadError from that, the CLI prints it).
     */
    private Reply load(ApiRequest request) throws IOException {
        streamProgress(request, progress -> {
            List<String> messages;
            try {
                messages = store.load(request.body());
            } catch (ImageException e) {
                throw new IOException(e.getMessage(), e);
            }
            for (String message : messages) {
                progress.accept(Map.of("stream", message + "\n"));
                String loaded = message.replaceFirst("^Loaded image(?: ID)?: ", "");
                if (!loaded.equals(message)) {
                    imageEvent("load", loaded, loaded);
                }
            }
        }, true);
        return Reply.streamed();
    }

    // --- POST /images/create (import; pull is not there yet) --------------------------------------------------

    private Reply create(ApiRequest request) throws IOException {
        Optional<String> fromImage = request.query("fromImage").filter(s -> !s.isEmpty());
        Optional<String> fromSrc = request.query("fromSrc").filter(s -> !s.isEmpty());
        if (fromImage.isPresent()) {
            return pull(request, fromImage.get(), request.query("tag").orElse(""));
        }
        if (fromSrc.isEmpty()) {
            throw ApiException.badRequest("either fromImage or fromSrc is required");
        }
        if (!fromSrc.get().equals("-")) {
            throw ApiException.badRequest("importing from a URL is not supported: pipe the archive to docker import -");
        }
        ImageReference tag = repoTag(request.query("repo").orElse(""), request.query("tag").orElse(""));
        String id = store.importRootfs(request.body(),
                new ImportRequest(tag, request.query("message").orElse(""), request.queryAll("changes")));
        imageEvent("import", id, tag == null ? "" : tag.familiarString());
        try (OutputStream out = request.openStream("application/json")) {
            writeMessage(out, Map.of("status", id));
        }
        return Reply.streamed();
    }

    /**
     * {@code docker pull}: progress streams once the registry has answered; a failure before that (no such
     * manifest, refused credentials, unreachable registry) is a plain error status, one after it an
     * {@code errorDetail} message, as with dockerd.
     */
    private Reply pull(ApiRequest request, String image, String tag) throws IOException {
        ImageReference reference = ImageReference.parse(image);
        if (!tag.isEmpty()) {
            reference = tag.startsWith("sha256:") ? new ImageReference(reference.domain(), reference.path(), null, tag)
                    : reference.withTag(tag);
        }
        ImageReference wanted = reference;
        Credentials credentials = Credentials.fromHeader(request.header("X-Registry-Auth").orElse(null));
        streamProgress(request, progress -> {
            String status = store.pull(wanted, request.query("platform").orElse(""), credentials, registries,
                    progress);
            progress.accept(Map.of("status", status));
            imageEvent("pull", wanted.familiarString(), wanted.familiarString());
        });
        return Reply.streamed();
    }

    /** {@code docker push NAME[:TAG]}. */
    private Reply push(ApiRequest request) throws IOException {
        ImageReference reference = ImageReference.parse(request.pathParam("name"));
        String tag = request.query("tag").filter(t -> !t.isEmpty()).orElse(null);
        ImageReference wanted = tag != null ? reference.withTag(tag) : reference.withDefaultTag();
        store.get(wanted.familiarString()); // a 404 before anything streams
        Credentials credentials = Credentials.fromHeader(request.header("X-Registry-Auth").orElse(null));
        streamProgress(request, progress -> {
            store.push(wanted, credentials, registries, progress);
            imageEvent("push", wanted.familiarString(), wanted.familiarString());
        });
        return Reply.streamed();
    }

    /** {@code docker login}: the credentials are checked against the registry, never stored by the engine. */
    private Reply login(ApiRequest request) throws IOException {
        Credentials credentials = request.bodyJson(Credentials.class);
        if (credentials == null) {
            throw ApiException.badRequest("no credentials in the request body");
        }
        registries.client(registries.loginEndpoint(credentials.serveraddress()), "", credentials, false).ping();
        return Reply.ok(Map.of("Status", "Login Succeeded", "IdentityToken", ""));
    }

    /** Docker's image events: the actor is the image id (a reference for pull, push, load, save), name its name. */
    private void imageEvent(String action, String actor, String name) {
        events.publish(new Event("image", action, actor, Map.of("name", name), Instant.now()));
    }

    @FunctionalInterface
    private interface ProgressWork {
        void run(Consumer<Map<String, Object>> progress) throws IOException;
    }

    /**
     * Runs {@code work} with a progress sink that opens the JSON stream at its first message. An error before that
     * propagates as an error status; after it, it ends the stream as Docker's {@code errorDetail} message.
     */
    private static void streamProgress(ApiRequest request, ProgressWork work) throws IOException {
        streamProgress(request, work, false);
    }

    /** {@code alwaysStream}: an error before the first message is an {@code errorDetail} message too. */
    private static void streamProgress(ApiRequest request, ProgressWork work, boolean alwaysStream)
            throws IOException {
        OutputStream[] out = {null};
        Consumer<Map<String, Object>> progress = message -> {
            synchronized (out) {
                try {
                    if (out[0] == null) {
                        out[0] = request.openStream("application/json");
                    }
                    out[0].write(line(message)); // one write, one chunk: clients split chunks at CRLF
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        };
        try {
            work.run(progress);
        } catch (IOException | RuntimeException e) {
            if (out[0] == null && !alwaysStream) {
                if (e instanceof IOException io) {
                    throw new ApiException(HttpResponseStatus.INTERNAL_SERVER_ERROR, io.getMessage());
                }
                throw (RuntimeException) e;
            }
            String message = e.getMessage() == null ? e.toString() : e.getMessage();
            progress.accept(Map.of("errorDetail", Map.of("message", message), "error", message));
        } finally {
            synchronized (out) {
                if (out[0] != null) {
                    out[0].close();
                }
            }
        }
    }

    // --- POST /images/{name}/tag ------------------------------------------------------------------------------

    private Reply tag(ApiRequest request) throws IOException {
        ImageReference target = repoTag(request.query("repo").orElse(""), request.query("tag").orElse(""));
        if (target == null) {
            throw ApiException.badRequest("repository name must have at least one component");
        }
        if (target.familiarName().equals("sha256")) {
            throw ApiException.badRequest("refusing to create an ambiguous tag using digest algorithm as name");
        }
        store.tag(request.pathParam("name"), target);
        imageEvent("tag", store.get(target.familiarString()).id(), target.familiarString());
        return new Reply.Empty(HttpResponseStatus.CREATED);
    }

    /**
     * Docker's RepoTagReference: {@code repo} (which may carry a tag) plus {@code tag}, defaulting to latest;
     * null when no repo was given. Digests are refused.
     */
    private static ImageReference repoTag(String repo, String tag) {
        if (repo.isEmpty()) {
            return null;
        }
        ImageReference ref = ImageReference.parse(repo);
        if (ref.digest() != null) {
            throw ApiException.badRequest("cannot import digest reference");
        }
        return tag.isEmpty() ? ref.withDefaultTag() : ref.withTag(tag);
    }

    // --- DELETE /images/{name} --------------------------------------------------------------------------------

    private Reply remove(ApiRequest request) throws IOException {
        String imageId = store.get(request.pathParam("name")).id();
        ImageRemoval removal = store.remove(request.pathParam("name"), request.queryBool("force"));
        removal.untagged().forEach(ref -> imageEvent("untag", imageId, ref));
        if (removal.deleted() != null) {
            imageEvent("delete", removal.deleted(), request.pathParam("name"));
        }
        return Reply.ok(removalItems(removal));
    }

    private static List<Map<String, String>> removalItems(ImageRemoval removal) {
        List<Map<String, String>> items = new ArrayList<>();
        removal.untagged().forEach(ref -> items.add(Map.of("Untagged", ref)));
        if (removal.deleted() != null) {
            items.add(Map.of("Deleted", removal.deleted()));
        }
        return items;
    }

    // --- POST /images/prune -----------------------------------------------------------------------------------

    private Reply prune(ApiRequest request) throws IOException {
        ImageStore.PruneReport report = store.prune(ImageFilter.forPrune(filters(request), store));
        List<Map<String, String>> deleted = new ArrayList<>();
        report.removals().forEach(r -> deleted.addAll(removalItems(r)));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("ImagesDeleted", deleted.isEmpty() ? null : deleted);
        out.put("SpaceReclaimed", report.spaceReclaimed());
        return Reply.ok(out);
    }

    // --- helpers ----------------------------------------------------------------------------------------------

    /** The {@code filters} parameter: {@code {"key":["v"]}} or the older {@code {"key":{"v":true}}}. */
    private static Map<String, List<String>> filters(ApiRequest request) {
        String raw = request.query("filters").orElse("");
        Map<String, List<String>> out = new LinkedHashMap<>();
        if (raw.isBlank()) {
            return out;
        }
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(raw);
        } catch (IOException e) {
            throw ApiException.badRequest("invalid filter: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw ApiException.badRequest("invalid filter: not a JSON object");
        }
        root.fields().forEachRemaining(field -> {
            List<String> values = new ArrayList<>();
            if (field.getValue().isArray()) {
                field.getValue().forEach(v -> values.add(v.asText()));
            } else if (field.getValue().isObject()) {
                field.getValue().fields().forEachRemaining(v -> {
                    if (v.getValue().asBoolean()) {
                        values.add(v.getKey());
                    }
                });
            }
            out.put(field.getKey(), values);
        });
        return out;
    }

    private static void writeMessage(OutputStream out, Map<String, String> message) throws IOException {
        out.write(line(message));
    }

    /** A JSON message and its CRLF, as one array: written at once, they arrive as one HTTP chunk. */
    private static byte[] line(Map<String, ?> message) throws IOException {
        byte[] json = Json.MAPPER.writeValueAsBytes(message);
        byte[] line = java.util.Arrays.copyOf(json, json.length + 2);
        line[json.length] = '\r';
        line[json.length + 1] = '\n';
        return line;
    }

}
