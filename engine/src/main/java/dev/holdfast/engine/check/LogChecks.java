package dev.holdfast.engine.check;

import dev.holdfast.engine.check.InstanceState.ContainerView;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * A container whose standard output is a counter (at least {@link #MIN_LINES} lines, each a whole number) lost no
 * line: each number is the one before plus one, or the counter's first number again (a restart counts anew). What
 * the json-file log holds is what {@code docker logs} shows, so a gap is output the shim or a restart dropped.
 */
final class LogChecks {
    /** Fewer lines than this are too few to call the output a counter. */
    static final int MIN_LINES = 3;

    private LogChecks() {}

    static List<Violation> check(InstanceState s) {
        Map<String, ContainerView> records = s.containers().stream()
                .collect(Collectors.toMap(ContainerView::id, Function.identity()));
        List<Violation> found = new ArrayList<>();
        s.stdoutLines().forEach((id, lines) -> {
            ContainerView c = records.get(id);
            String gap = gap(lines);
            if (c != null && gap != null) {
                found.add(new Violation("container " + id + " (" + c.name() + ") counts on its output, but " + gap,
                        "docker logs " + id));
            }
        });
        return found;
    }

    /** What breaks the counter {@code lines} is, or null when it is unbroken or not a counter. */
    static String gap(List<String> lines) {
        if (lines.size() < MIN_LINES || !lines.stream().allMatch(l -> l.matches("\\d{1,18}"))) {
            return null;
        }
        long first = Long.parseLong(lines.get(0));
        long previous = first;
        for (int i = 1; i < lines.size(); i++) {
            long n = Long.parseLong(lines.get(i));
            if (n != previous + 1 && n != first) {
                return "line " + (i + 1) + " is " + n + " after " + previous
                        + (n > previous ? " (" + (n - previous - 1) + " lines missing)" : "");
            }
            previous = n;
        }
        return null;
    }
}
