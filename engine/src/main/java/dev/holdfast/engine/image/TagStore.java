package dev.holdfast.engine.image;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.holdfast.engine.api.Json;
import dev.holdfast.engine.store.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * {@code repositories.json}: which image each tag names, in Docker's own shape
 * ({@code {"Repositories":{"busybox":{"busybox:latest":"sha256:…"}}}}). Every change is written atomically
 * before it is visible. Not thread-safe: the image store serializes access.
 */
final class TagStore {
    private final Path file;
    /** Familiar reference ({@code busybox:latest}) to image id, sorted as Docker lists RepoTags. */
    private final TreeMap<String, String> tags = new TreeMap<>();

    TagStore(Path file) throws IOException {
        this.file = file;
        if (Files.exists(file)) {
            Map<String, Map<String, Map<String, String>>> doc = Json.MAPPER.readValue(file.toFile(),
                    new TypeReference<>() {});
            doc.getOrDefault("Repositories", Map.of()).values().forEach(tags::putAll);
        }
    }

    Optional<String> get(ImageReference reference) {
        return Optional.ofNullable(tags.get(key(reference)));
    }

    /** Points {@code reference} at {@code imageId}, moving it from whatever image it named before. */
    void put(ImageReference reference, String imageId) throws IOException {
        TreeMap<String, String> next = new TreeMap<>(tags);
        next.put(key(reference), imageId);
        commit(next);
    }

    void remove(ImageReference reference) throws IOException {
        TreeMap<String, String> next = new TreeMap<>(tags);
        if (next.remove(key(reference)) != null) {
            commit(next);
        }
    }

    /** Familiar references of {@code imageId}, sorted. */
    List<String> tagsOf(String imageId) {
        List<String> out = new ArrayList<>();
        tags.forEach((ref, id) -> {
            if (id.equals(imageId)) {
                out.add(ref);
            }
        });
        return out;
    }

    /** Drops tags of images that are gone (a crash between removing an image and untagging it). */
    void retainImages(Set<String> imageIds) throws IOException {
        TreeMap<String, String> next = new TreeMap<>(tags);
        if (next.values().removeIf(id -> !imageIds.contains(id))) {
            commit(next);
        }
    }

    private static String key(ImageReference reference) {
        return reference.withDefaultTag().familiarString();
    }

    /** Writes {@code next} and only then makes it the tags: a failed write (a full disk) changes nothing. */
    private void commit(TreeMap<String, String> next) throws IOException {
        Map<String, Map<String, String>> repositories = new TreeMap<>();
        next.forEach((ref, id) -> repositories.computeIfAbsent(ImageReference.parse(ref).familiarName(),
                k -> new TreeMap<>()).put(ref, id));
        AtomicFiles.write(file, Json.MAPPER.writeValueAsBytes(Map.of("Repositories", repositories)));
        tags.clear();
        tags.putAll(next);
    }
}
