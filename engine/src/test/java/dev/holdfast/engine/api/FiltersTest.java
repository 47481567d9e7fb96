package dev.holdfast.engine.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FiltersTest {
    private static final Set<String> PRUNE = Set.of("until", "label", "label!");

    private static Filters prune(String json) {
        return Filters.parse(Optional.of(json), PRUNE);
    }

    @Test
    void pruneLabelFiltersFollowDockersMatchLabels() {
        Map<String, String> yes = Map.of("prune", "yes", "team", "a");
        Map<String, String> no = Map.of("prune", "no");
        assertTrue(prune("{\"label\":[\"prune=yes\"]}").pruneLabelsMatch(yes));
        assertFalse(prune("{\"label\":[\"prune=yes\"]}").pruneLabelsMatch(no));
        assertFalse(prune("{\"label\":[\"prune\"]}").pruneLabelsMatch(Map.of()));
        // label!: excluded only when every label! value holds.
        assertFalse(prune("{\"label!\":[\"prune=no\"]}").pruneLabelsMatch(no));
        assertTrue(prune("{\"label!\":[\"prune=no\"]}").pruneLabelsMatch(yes));
        assertTrue(prune("{\"label!\":[\"prune=no\"]}").pruneLabelsMatch(null));
        assertTrue(prune("{\"label!\":[\"prune\",\"team=b\"]}").pruneLabelsMatch(yes));
        assertFalse(prune("{\"label!\":[\"prune\",\"team=a\"]}").pruneLabelsMatch(yes));
        assertFalse(prune("{\"label\":[\"team\"],\"label!\":[\"prune=yes\"]}").pruneLabelsMatch(yes));
        assertTrue(Filters.NONE.pruneLabelsMatch(no));
    }

    @Test
    void anUnknownPruneFilterIsRefused() {
        ApiException e = assertThrows(ApiException.class, () -> prune("{\"status\":[\"exited\"]}"));
        assertEquals(400, e.status().code());
        assertEquals("invalid filter 'status'", e.getMessage());
    }
}
