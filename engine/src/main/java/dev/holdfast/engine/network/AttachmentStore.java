package dev.holdfast.engine.network;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.holdfast.engine.store.AtomicFiles;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

/** The {@link Attachment}s of all containers: one file each under {@code <data>/network/containers}. */
public final class AttachmentStore {
    private static final Logger LOG = Logger.getLogger(AttachmentStore.class.getName());
    private static final String SUFFIX = ".json";

    private final Path dir;
    private final ObjectMapper mapper;
    private final Map<String, Attachment> byContainer = new ConcurrentHashMap<>();

    private AttachmentStore(Path dir, ObjectMapper mapper) {
        this.dir = dir;
        this.mapper = mapper;
    }

    public static AttachmentStore load(Path dataRoot, ObjectMapper mapper) throws IOException {
        AttachmentStore store = new AttachmentStore(dataRoot.resolve("network").resolve("containers"), mapper);
        Files.createDirectories(store.dir);
        try (DirectoryStream<Path> files = Files.newDirectoryStream(store.dir, "*" + SUFFIX)) {
            for (Path file : files) {
                try {
                    Attachment a = mapper.readValue(file.toFile(), Attachment.class);
                    store.byContainer.put(a.containerId(), a);
                } catch (IOException e) {
                    LOG.warning("skipping unreadable network attachment " + file + ": " + e.getMessage());
                }
            }
        }
        return store;
    }

    public Optional<Attachment> find(String containerId) {
        return Optional.ofNullable(byContainer.get(containerId));
    }

    public List<Attachment> all() {
        return new ArrayList<>(byContainer.values());
    }

    /** Durable before it is visible: nobody can act on an allocation a crash could still lose. */
    public void save(Attachment attachment) throws IOException {
        AtomicFiles.write(dir.resolve(attachment.containerId() + SUFFIX), mapper.writeValueAsBytes(attachment));
        byContainer.put(attachment.containerId(), attachment);
    }

    public void delete(String containerId) throws IOException {
        byContainer.remove(containerId);
        Files.deleteIfExists(dir.resolve(containerId + SUFFIX));
        AtomicFiles.syncDirectory(dir);
    }
}
