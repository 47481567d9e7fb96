package dev.holdfast.bench.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Builds a samples file's lines for the tests, as the drivers would write them. */
final class SampleLines {
    private final List<String> lines = new ArrayList<>();

    SampleLines info(String key, String text) {
        lines.add("info\t" + key + "\t" + text);
        return this;
    }

    SampleLines add(String metric, String daemon, double... values) {
        for (double v : values) {
            lines.add(metric + "\t" + daemon + "\t" + String.format(Locale.ROOT, "%.6f", v));
        }
        return this;
    }

    SampleLines na(String metric, String daemon, String reason) {
        lines.add(metric + "\t" + daemon + "\tNA\t" + reason);
        return this;
    }

    SampleTable table() {
        return SampleTable.parse(lines);
    }

    /** The table as Report prints it. */
    String render() {
        SampleTable t = table();
        return new Table(t).render(Sections.of(t));
    }

    /** The columns of the table row whose label starts with {@code label} (after its indent), split at 2+ spaces. */
    static List<String> row(String table, String label) {
        for (String line : table.split("\n")) {
            if (line.strip().startsWith(label)) {
                return List.of(line.strip().split(" {2,}"));
            }
        }
        throw new AssertionError("no row " + label + " in\n" + table);
    }
}
