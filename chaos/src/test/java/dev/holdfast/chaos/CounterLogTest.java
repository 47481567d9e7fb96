package dev.holdfast.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** A counter's log: runs that each count up from 0; a gap or a duplicate is a line lost or written twice. */
class CounterLogTest {
    @Test
    void runsThatCountUpFromZeroAreFine() {
        assertEquals(List.of(), CounterLog.problems(List.of("0", "1", "2", "0", "1")));
        assertEquals(List.of(), CounterLog.problems(List.of()));
    }

    @Test
    void gapsDuplicatesAndStrangeLinesAreEachReported() {
        assertEquals(List.of("line 3: 3 after 1 (gap of 1)", "line 4: 3 after 3 (duplicate)",
                "line 5 is not a number: \"x\"", "line 6: the log starts at 4, not 0"),
                CounterLog.problems(List.of("0", "1", "3", "3", "x", "4")));
    }
}
