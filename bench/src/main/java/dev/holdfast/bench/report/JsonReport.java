package dev.holdfast.bench.report;

import dev.holdfast.bench.json.Json;
import dev.holdfast.bench.stats.Percentile;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The JSON file of a run: its info lines, every figure with its ratio and target, and every raw sample. */
final class JsonReport {
    private final SampleTable samples;
    private final Comparison comparison;

    JsonReport(SampleTable samples) {
        this.samples = samples;
        this.comparison = new Comparison(samples);
    }

    String render(List<Section> sections) {
        StringBuilder j = new StringBuilder("{\n  \"info\": {");
        int k = 0;
        for (Map.Entry<String, String> e : samples.info.entrySet()) {
            j.append(k++ == 0 ? "\n" : ",\n").append("    ").append(Json.quote(e.getKey())).append(": ")
                    .append(Json.quote(e.getValue()));
        }
        j.append("\n  },\n  \"figures\": [");
        k = 0;
        for (Section sec : sections) {
            for (Row row : sec.rows()) {
                if (!samples.data.containsKey(row.metric())) {
                    continue;
                }
                j.append(k++ == 0 ? "\n" : ",\n").append("    {\"metric\": ").append(Json.quote(
                        row.metric())).append(", \"section\": ").append(Json.quote(sec.title()))
                        .append(", \"label\": ").append(Json.quote(row.label().strip()))
                        .append(", \"unit\": ").append(Json.quote(row.unit()));
                Double r = comparison.ratio(row);
                j.append(", \"ratio\": ").append(r == null ? "null" : String.format(Locale.ROOT, "%.4f", r));
                j.append(", \"target\": ").append(row.target() == null ? "null"
                        : Json.quote(row.target().text(row.unit())));
                Boolean m = comparison.met(row);
                j.append(", \"target_met\": ").append(m == null ? "null" : m.toString()).append('}');
            }
        }
        j.append("\n  ],\n  \"samples\": {");
        k = 0;
        for (Map.Entry<String, Map<String, Cell>> e : samples.data.entrySet()) {
            j.append(k++ == 0 ? "\n" : ",\n").append("    ").append(Json.quote(e.getKey()))
                    .append(": {");
            int d = 0;
            for (Map.Entry<String, Cell> ce : e.getValue().entrySet()) {
                Cell c = ce.getValue();
                double[] v = c.sorted();
                j.append(d++ == 0 ? "" : ", ").append(Json.quote(ce.getKey())).append(": {");
                j.append("\"n\": ").append(v.length);
                if (v.length > 0) {
                    j.append(String.format(Locale.ROOT,
                            ", \"median\": %.6g, \"p10\": %.6g, \"p90\": %.6g, \"min\": %.6g, \"max\": %.6g",
                            Percentile.of(v, 0.5), Percentile.of(v, 0.1),
                            Percentile.of(v, 0.9), v[0], v[v.length - 1]));
                }
                j.append(", \"values\": [");
                for (int i = 0; i < c.values.size(); i++) {
                    j.append(i == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.6g", c.values.get(i)));
                }
                j.append("]");
                if (!c.na.isEmpty()) {
                    j.append(", \"na\": [");
                    for (int i = 0; i < c.na.size(); i++) {
                        j.append(i == 0 ? "" : ", ").append(Json.quote(c.na.get(i)));
                    }
                    j.append("]");
                }
                j.append('}');
            }
            j.append('}');
        }
        j.append("\n  }\n}\n");
        return j.toString();
    }
}
