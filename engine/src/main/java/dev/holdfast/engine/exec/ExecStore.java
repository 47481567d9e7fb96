package dev.holdfast.engine.exec;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.DeserializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * Exec records: in memory, and each written atomically to {@code <container dir>/execs/<id>.json} so an engine
 * restart finds the execs of the containers it adopts.
 */
public final class ExecStore {
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private final Map<String, ExecRecord> byId = new ConcurrentHashMap<>();
    private final Function<String, Optional<Path>> containerDir;

    /** {@code containerDir} maps a container id to its directory, empty when the container is gone. */
    public ExecStore(Function<String, Optional<Path>> containerDir) {
        this.containerDir = containerDir;
    }

    public void save(Path dir, ExecRecord record) {
        byId.put(record.id(), record);
        try {
            Path execs = Files.createDirectories(dir.resolve("execs"));
            Path tmp = execs.resolve(record.id() + ".json.tmp");
            MAPPER.writeValue(tmp.toFile(), record);
            Files.move(tmp, execs.resolve(record.id() + ".json"), StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("saving exec " + record.id(), e);
        }
    }

    /** Every exec of the container in {@code containerDir}, in id order. */
    public List<ExecRecord> ofContainer(Path containerDir) {
        Path dir = containerDir.resolve("execs");
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".json")).sorted()
                    .map(n -> get(n.substring(0, n.length() - ".json".length()), Stream.of(containerDir)))
                    .flatMap(Optional::stream).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("listing the execs in " + dir, e);
        }
    }

    /** The exec, from memory or else from the directories of {@code containerDirs}. */
    public Optional<ExecRecord> get(String id, Stream<Path> containerDirs) {
        ExecRecord known = byId.get(id);
        if (known != null) {
            return containerDir.apply(known.containerId()).map(d -> known);
        }
        if (!id.matches("[0-9a-f]{64}")) {
            return Optional.empty();
        }
        return containerDirs.map(d -> d.resolve("execs").resolve(id + ".json")).filter(Files::isRegularFile)
                .findFirst().map(p -> {
                    try {
                        ExecRecord loaded = MAPPER.readValue(p.toFile(), ExecRecord.class);
                        byId.put(id, loaded);
                        return loaded;
                    } catch (IOException e) {
                        return null;
                    }
                });
    }
}
