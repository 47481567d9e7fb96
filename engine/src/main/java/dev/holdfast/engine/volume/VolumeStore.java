package dev.holdfast.engine.volume;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.holdfast.engine.errdefs.DomainException;
import dev.holdfast.engine.host.MountTable;
import dev.holdfast.engine.store.AtomicFiles;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * The volumes under {@code <data>/volumes}. A volume exists once its {@code volume.json} is written (after its data
 * directory), and stops existing when its directory is renamed to {@code .removing-<name>} (before its data is
 * deleted): a crash in either leaves a half-made or half-gone directory that the next boot finishes removing.
 */
public final class VolumeStore {
    private static final Logger LOG = Logger.getLogger(VolumeStore.class.getName());
    static final String RECORD = "volume.json";
    static final String DATA = "_data";
    private static final String REMOVING = ".removing-";

    private final Path dir;
    private final ObjectMapper mapper;
    private final Map<String, Volume> byName = new ConcurrentHashMap<>();

    private VolumeStore(Path dir, ObjectMapper mapper) {
        this.dir = dir;
        this.mapper = mapper;
    }

    public static VolumeStore load(Path dataRoot, ObjectMapper mapper) throws IOException {
        VolumeStore store = new VolumeStore(dataRoot.resolve("volumes"), mapper);
        Files.createDirectories(store.dir);
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(store.dir)) {
            for (Path d : dirs) {
                Path record = d.resolve(RECORD);
                if (unfinished(d)) {
                    continue;
                }
                try {
                    Volume v = mapper.readValue(record.toFile(), Volume.class);
                    store.byName.put(v.name(), v);
                } catch (IOException e) {
                    LOG.warning("skipping unreadable volume record " + record + ": " + e.getMessage());
                }
            }
        }
        return store;
    }

    /**
     * At boot: removes the volumes whose creation or removal did not finish. Only for the engine that owns the data
     * root: another engine's creation in progress looks just the same.
     */
    void removeLeftovers() throws IOException {
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(dir, VolumeStore::unfinished)) {
            for (Path d : dirs) {
                LOG.info("removing " + d + ": a volume whose creation or removal did not finish");
                deleteTree(d);
            }
        }
    }

    private static boolean unfinished(Path volumeDir) {
        return volumeDir.getFileName().toString().startsWith(REMOVING) || !Files.exists(volumeDir.resolve(RECORD));
    }

    public Optional<Volume> find(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    public List<Volume> all() {
        return new ArrayList<>(byName.values());
    }

    /** The data directory of a new volume, then its record: the record is what makes it exist. */
    Volume create(Volume v) {
        Path volumeDir = dir.resolve(v.name());
        try {
            Files.createDirectories(volumeDir.resolve(DATA));
            AtomicFiles.write(volumeDir.resolve(RECORD), mapper.writeValueAsBytes(v));
        } catch (IOException e) {
            deleteTree(volumeDir);
            throw DomainException.system("creating volume " + v.name() + " in " + volumeDir + ": " + e.getMessage(), e);
        }
        byName.put(v.name(), v);
        return v;
    }

    Path dataOf(String name) {
        return dir.resolve(name).resolve(DATA);
    }

    /** Renamed away first (gone at once, atomically), then deleted. */
    void remove(Volume v) {
        Path volumeDir = dir.resolve(v.name());
        Path removing = dir.resolve(REMOVING + v.name());
        try {
            Files.move(volumeDir, removing);
            AtomicFiles.syncDirectory(dir);
        } catch (IOException e) {
            throw DomainException.system("removing volume " + v.name() + " (" + volumeDir + "): " + e.getMessage(), e);
        }
        byName.remove(v.name());
        deleteTree(removing);
    }

    /** Never through a mount: a volume's tmpfs or bind (its device, the user's host directory) is unmounted first. */
    private static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try {
            for (Path mount : MountTable.mountsUnder(root, null)) {
                MountTable.unmount(mount, "unmounting " + mount + " before deleting " + root);
            }
            if (!MountTable.mountsUnder(root, null).isEmpty()) {
                LOG.warning("not deleting " + root + ": something is still mounted in it (the next boot tries again)");
                return;
            }
        } catch (IOException | RuntimeException e) {
            LOG.warning("not deleting " + root + ": " + e.getMessage() + " (the next boot tries again)");
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            LOG.warning("deleting " + root + ": " + e.getMessage() + " (the next boot tries again)");
        }
    }
}
