package dev.holdfast.chaos;

import java.util.ArrayList;
import java.util.List;

/**
 * Checks the log of a {@link ContainerKind#COUNTER} container. Each run of the container prints 0, 1, 2, ...; a
 * restart starts again at 0, and a run may end anywhere (it was stopped or killed). So the log must be a sequence of
 * runs, each starting at 0 and going up by one: any other step is a gap (a number skipped) or a duplicate (a number
 * again, or going back) — lines lost or written twice on their way to the log.
 */
final class CounterLog {

    private CounterLog() {}

    /** The problems in {@code lines} (the container's stdout, one number per line), empty when there is none. */
    static List<String> problems(List<String> lines) {
        List<String> problems = new ArrayList<>();
        long previous = -1;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            long value;
            try {
                value = Long.parseLong(line);
            } catch (NumberFormatException e) {
                problems.add("line " + (i + 1) + " is not a number: \"" + abbreviate(line) + "\"");
                previous = -1;
                continue;
            }
            if (value < 0) {
                problems.add("line " + (i + 1) + " is negative: " + value);
            } else if (previous < 0 && value != 0) {
                problems.add("line " + (i + 1) + ": the log starts at " + value + ", not 0");
            } else if (previous >= 0 && value != 0 && value != previous + 1) {
                problems.add("line " + (i + 1) + ": " + value + " after " + previous + " ("
                        + (value > previous + 1 ? "gap of " + (value - previous - 1) : "duplicate") + ")");
            }
            previous = value;
        }
        return problems;
    }

    private static String abbreviate(String line) {
        return line.length() > 60 ? line.substring(0, 60) + "..." : line;
    }
}
