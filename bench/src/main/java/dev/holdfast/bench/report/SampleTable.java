package dev.holdfast.bench.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The samples file as the report reads it (written by {@code dev.holdfast.bench.harness.Samples} and scripts/bench):
 * {@code metric TAB daemon TAB value}, {@code metric TAB daemon TAB NA TAB reason} and {@code info TAB key TAB text}.
 */
final class SampleTable {
    /** metric, then daemon, in the order they first appeared. */
    final Map<String, Map<String, Cell>> data = new LinkedHashMap<>();
    final Map<String, String> info = new LinkedHashMap<>();

    static SampleTable read(Path file) throws IOException {
        return parse(Files.readAllLines(file, StandardCharsets.UTF_8));
    }

    static SampleTable parse(List<String> lines) {
        SampleTable t = new SampleTable();
        for (String line : lines) {
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.split("\t", 4);
            if (f[0].equals("info") && f.length >= 3) {
                t.info.put(f[1], f[2]);
                continue;
            }
            if (f.length < 3) {
                continue;
            }
            Cell c = t.data.computeIfAbsent(f[0], k -> new LinkedHashMap<>()).computeIfAbsent(f[1], k -> new Cell());
            if (f[2].equals("NA")) {
                String why = f.length > 3 ? f[3] : "failed";
                if (!c.na.contains(why)) {
                    c.na.add(why);
                }
            } else {
                c.values.add(Double.parseDouble(f[2]));
            }
        }
        return t;
    }

    /** An info line's text, or {@code def} when it is missing or blank. */
    String info(String key, String def) {
        String v = info.get(key);
        return v == null || v.isBlank() ? def : v;
    }

    /** The samples of a metric and daemon; null when there are none. */
    Cell cell(String metric, String daemon) {
        Map<String, Cell> m = data.get(metric);
        return m == null ? null : m.get(daemon);
    }

    /** The daemon whose cell of {@code metric} this is. */
    String daemonOf(Cell c, String metric) {
        for (Map.Entry<String, Cell> e : data.getOrDefault(metric, Map.of()).entrySet()) {
            if (e.getValue() == c) {
                return e.getKey();
            }
        }
        return "";
    }
}
