package dev.holdfast.chaos;

import java.util.HashMap;
import java.util.Map;

/**
 * What the clients know about the containers they made: which must exist, which must be gone, and which may be
 * either (the CLI failed while a daemon was down, so the request may or may not have been carried out). Keyed by
 * id when the CLI told it, else by the name the container was created with.
 */
final class Ledger {

    enum Fate { PRESENT, ABSENT, UNKNOWN }

    private final Map<String, Fate> byId = new HashMap<>();
    private final Map<String, Fate> byName = new HashMap<>();

    synchronized void created(String id) {
        byId.put(id, Fate.PRESENT);
    }

    /** A create or run whose CLI failed: the container may exist under {@code name}. */
    synchronized void maybeCreated(String name) {
        byName.put(name, Fate.UNKNOWN);
    }

    synchronized void removed(String id) {
        byId.put(id, Fate.ABSENT);
    }

    /** {@code docker run --rm --name NAME} returned success: the container is gone. */
    synchronized void removedByName(String name) {
        byName.put(name, Fate.ABSENT);
    }

    synchronized void maybeRemoved(String id) {
        byId.put(id, Fate.UNKNOWN);
    }

    synchronized Map<String, Fate> byId() {
        return Map.copyOf(byId);
    }

    synchronized Map<String, Fate> byName() {
        return Map.copyOf(byName);
    }
}
