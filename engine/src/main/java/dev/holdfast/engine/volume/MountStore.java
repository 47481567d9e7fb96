package dev.holdfast.engine.volume;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.holdfast.engine.container.MountPoint;
import dev.holdfast.engine.errdefs.DomainException;
import dev.holdfast.engine.store.AtomicFiles;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

/** Every container's mount points, one file each under {@code <data>/mounts}: what uses which volume. */
final class MountStore {
    private static final Logger LOG = Logger.getLogger(MountStore.class.getName());
    private static final TypeReference<List<MountPoint>> LIST = new TypeReference<>() {};
    private static final String SUFFIX = ".json";

    private final Path dir;
    private final ObjectMapper mapper;
    private final Map<String, List<MountPoint>> byContainer = new ConcurrentHashMap<>();

    private MountStore(Path dir, ObjectMapper mapper) {
        this.dir = dir;
        this.mapper = mapper;
    }

    static MountStore load(Path dataRoot, ObjectMapper mapper) throws IOException {
        MountStore store = new MountStore(dataRoot.resolve("mounts"), mapper);
        Files.createDirectories(store.dir);
        try (DirectoryStream<Path> files = Files.newDirectoryStream(store.dir, "*" + SUFFIX)) {
            for (Path file : files) {
                String id = file.getFileName().toString();
                try {
                    store.byContainer.put(id.substring(0, id.length() - SUFFIX.length()),
                            mapper.readValue(file.toFile(), LIST));
                } catch (IOException e) {
                    LOG.warning("skipping unreadable mount record " + file + ": " + e.getMessage());
                }
            }
        }
        return store;
    }

    List<MountPoint> of(String containerId) {
        return byContainer.getOrDefault(containerId, List.of());
    }

    boolean has(String containerId) {
        return byContainer.containsKey(containerId);
    }

    Map<String, List<MountPoint>> all() {
        return Map.copyOf(byContainer);
    }

    void save(String containerId, List<MountPoint> mounts) {
        try {
            AtomicFiles.write(dir.resolve(containerId + SUFFIX), mapper.writeValueAsBytes(mounts));
        } catch (IOException e) {
            throw DomainException.system("recording the mounts of container " + containerId + ": " + e.getMessage(), e);
        }
        byContainer.put(containerId, List.copyOf(mounts));
    }

    void remove(String containerId) {
        byContainer.remove(containerId);
        try {
            Files.deleteIfExists(dir.resolve(containerId + SUFFIX));
        } catch (IOException e) {
            LOG.warning("deleting the mount record of container " + containerId + ": " + e.getMessage());
        }
    }
}
