package dev.holdfast.supervisor.task;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TaskIdTest {
    @Test
    void validIds() {
        for (String id : new String[] {"a", "0", "abc_DEF.1-2", "a".repeat(128),
                "4f9d0c1e5b7a4e6f8d2c3b1a09f8e7d64f9d0c1e5b7a4e6f8d2c3b1a09f8e7d6"}) {
            assertTrue(TaskId.isValid(id), id);
        }
    }

    @Test
    void invalidIds() {
        for (String id : new String[] {"", "_a", ".", "..", "-a", "a/b", "a b", "a\nb", "a".repeat(129), "é"}) {
            assertFalse(TaskId.isValid(id), id);
        }
        assertFalse(TaskId.isValid(null));
    }
}
