package dev.holdfast.engine.container;

import dev.holdfast.engine.api.ApiException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * The name registry: every container name ({@code /name}) belongs to at most one container. Reserving happens
 * before anything slow is done for a create, so two concurrent creates with one name cannot both succeed.
 */
public final class ContainerNames {
    private static final Pattern VALID = Pattern.compile("/?[a-zA-Z0-9][a-zA-Z0-9_.-]+");
    private static final int GENERATION_ATTEMPTS = 10;

    private final Map<String, String> idsByName = new ConcurrentHashMap<>();

    /** Normalizes a user-given name to Docker's {@code /name}, or throws Docker's 400. */
    public static String validate(String name) {
        if (!VALID.matcher(name).matches()) {
            throw ApiException.badRequest("Invalid container name (" + name
                    + "), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed");
        }
        return name.startsWith("/") ? name : "/" + name;
    }

    /** Reserves {@code name} (with slash) for {@code id}; a 409 names the holder when it is taken. */
    public void reserve(String name, String id) {
        String holder = idsByName.putIfAbsent(name, id);
        if (holder != null && !holder.equals(id)) {
            throw ApiException.conflict("Conflict. The container name \"" + name
                    + "\" is already in use by container \"" + holder
                    + "\". You have to remove (or rename) that container to be able to reuse that name.");
        }
    }

    /** Reserves a generated name for {@code id}, adding a digit after the first collisions as Docker does. */
    public String reserveGenerated(String id, Supplier<String> generator) {
        for (int attempt = 0; attempt < GENERATION_ATTEMPTS; attempt++) {
            String candidate = "/" + generator.get() + (attempt == 0 ? "" : String.valueOf(attempt % 10));
            if (idsByName.putIfAbsent(candidate, id) == null) {
                return candidate;
            }
        }
        // After so many collisions a name derived from the id is unique by construction.
        String fallback = "/" + generator.get() + "_" + id.substring(0, 12);
        reserve(fallback, id);
        return fallback;
    }

    public void release(String name, String id) {
        idsByName.remove(name, id);
    }

    public Optional<String> idOf(String name) {
        return Optional.ofNullable(idsByName.get(name.startsWith("/") ? name : "/" + name));
    }
}
