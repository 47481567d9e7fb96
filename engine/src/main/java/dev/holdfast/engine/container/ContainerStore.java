package dev.holdfast.engine.container;

import com.fasterxml.jackson.databind.ObjectReader;
import dev.holdfast.engine.api.ApiException;
import dev.holdfast.engine.api.Json;
import dev.holdfast.engine.image.ImageUsers;
import dev.holdfast.engine.store.AtomicFiles;
import dev.holdfast.engine.store.Trash;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Every container of {@code <data>/containers}, loaded at boot and indexed by id and by name. Records are written
 * atomically before they become current, so what is on disk is never behind what the API has shown.
 */
public final class ContainerStore {
    private static final Logger LOG = Logger.getLogger(ContainerStore.class.getName());
    public static final String RECORD_FILE = "container.json";
    /** Built once: Jackson introspects the record types here, most of what reading the records at boot costs. */
    private static final ObjectReader RECORD_READER = Json.MAPPER.readerFor(ContainerRecord.class);

    private final Path root;
    private final Trash trash;
    private final ContainerNames names = new ContainerNames();
    private final Map<String, Container> byId = new ConcurrentHashMap<>();

    private ContainerStore(Path root) {
        this.root = root;
        this.trash = new Trash(root.resolveSibling("trash"));
    }

    /**
     * Builds the record reader now, on the caller's thread: the engine's main calls this on a thread of its own
     * before it reads its config, so that {@link #load} finds it ready.
     */
    public static void prepareReader() {
        RECORD_READER.getValueType();
    }

    /** Loads {@code <data>/containers}; a record that cannot be read is logged and left alone, not fatal. */
    public static ContainerStore load(Path dataRoot) throws IOException {
        ContainerStore store = new ContainerStore(dataRoot.resolve("containers"));
        Files.createDirectories(store.root);
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(store.root, Files::isDirectory)) {
            for (Path dir : dirs) {
                Path file = dir.resolve(RECORD_FILE);
                if (!Files.exists(file)) {
                    continue;
                }
                try {
                    ContainerRecord record = RECORD_READER.readValue(file.toFile());
                    store.names.reserve(record.name(), record.id());
                    store.byId.put(record.id(), new Container(dir, record));
                } catch (IOException | ApiException e) {
                    LOG.log(Level.WARNING, "skipping container " + dir.getFileName() + ": " + e.getMessage());
                }
            }
        }
        return store;
    }

    public ContainerNames names() {
        return names;
    }

    /** {@code <data>/containers}. */
    public Path root() {
        return root;
    }

    public Path dirOf(String id) {
        return root.resolve(id);
    }

    /** Persists a new container's first record and makes it visible; its name must be reserved already. */
    public Container add(ContainerRecord record) throws IOException {
        Container container = new Container(dirOf(record.id()), record);
        write(container.dir(), record);
        byId.put(record.id(), container);
        return container;
    }

    /** Applies {@code change} under the container's lock, writes the result, then makes it current. */
    public ContainerRecord update(Container container, UnaryOperator<ContainerRecord> change) {
        container.lock().lock();
        try {
            ContainerRecord next = change.apply(container.record());
            write(container.dir(), next);
            container.replace(next);
            return next;
        } catch (IOException e) {
            throw ApiException.internal("saving container " + container.id() + ": " + e.getMessage(), e);
        } finally {
            container.lock().unlock();
        }
    }

    /**
     * Deletes a removed container's record and directory (its record goes at once, its files in the background)
     * and forgets it. Nothing may be mounted in its directory any more.
     */
    public void remove(Container container) throws IOException {
        trash.discard(container.dir());
        forget(container);
    }

    /**
     * Boot: deletes (in the background) what is left in the trash: a crash, or a clean exit whose deletions had not
     * finished, leaves it there; safe beside new removals, which add entries of their own.
     */
    public void emptyTrash() {
        trash.emptyLeftovers();
    }

    /** Drops a removed container from the indexes and frees its name. */
    private void forget(Container container) {
        byId.remove(container.id(), container);
        names.release(container.record().name(), container.id());
    }

    /** Docker's lookup order: full id, then name, then a unique id prefix; 404 {@code No such container: ref}. */
    public Container get(String ref) {
        return find(ref).orElseThrow(() -> ApiException.notFound("No such container: " + ref));
    }

    public Optional<Container> find(String ref) {
        if (ref.isEmpty()) {
            return Optional.empty();
        }
        Container exact = byId.get(ref);
        if (exact != null) {
            return Optional.of(exact);
        }
        Optional<Container> named = names.idOf(ref).map(byId::get);
        if (named.isPresent()) {
            return named;
        }
        List<Container> prefixed = byId.values().stream().filter(c -> c.id().startsWith(ref)).toList();
        if (prefixed.size() > 1) {
            throw ApiException.badRequest("multiple IDs found with provided prefix: " + ref);
        }
        return prefixed.stream().findFirst();
    }

    public Optional<Container> byId(String id) {
        return Optional.ofNullable(byId.get(id));
    }

    public Collection<Container> all() {
        return List.copyOf(byId.values());
    }

    /** What the image store asks before removing an image: containers created from it. */
    public List<String> containersUsing(String imageId, boolean runningOnly) {
        List<String> ids = new ArrayList<>();
        for (Container c : byId.values()) {
            if (c.record().image().equals(imageId) && (!runningOnly || c.record().state().running())) {
                ids.add(c.id());
            }
        }
        return ids;
    }

    /** The container store as the image store sees it. */
    public ImageUsers asImageUsers() {
        return new ImageUsers() {
            @Override
            public List<String> containersUsing(String imageId) {
                return ContainerStore.this.containersUsing(imageId, false);
            }

            @Override
            public List<String> runningContainersUsing(String imageId) {
                return ContainerStore.this.containersUsing(imageId, true);
            }
        };
    }

    private static void write(Path dir, ContainerRecord record) throws IOException {
        AtomicFiles.write(dir.resolve(RECORD_FILE), Json.MAPPER.writeValueAsBytes(record));
    }
}
