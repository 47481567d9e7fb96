package dev.holdfast.bench.report;

import dev.holdfast.bench.stats.Percentile;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The table on stdout: the run's header, each section's rows (median and spread per daemon, the ratio
 * holdfast/dockerd, the target and whether it is met), the misses and the footnotes. A figure a daemon could not
 * produce shows "n/a" with a numbered footnote giving the reason; a figure nobody measured is left out.
 */
final class Table {
    private static final String A = Comparison.A;
    private static final String B = Comparison.B;

    private final SampleTable samples;
    private final Comparison comparison;
    private final List<String> footnotes = new ArrayList<>();

    Table(SampleTable samples) {
        this.samples = samples;
        this.comparison = new Comparison(samples);
    }

    String render(List<Section> sections) {
        StringBuilder out = new StringBuilder();
        out.append("holdfast ").append(samples.info("holdfast", "?")).append("  vs  dockerd ")
                .append(samples.info("dockerd", "?")).append(" (containerd ").append(samples.info("containerd", "?"))
                .append(", --live-restore)\n");
        out.append("runc ").append(samples.info("runc", "?")).append(", docker CLI ").append(samples.info("cli", "?"))
                .append(" for both, ").append(samples.info("java", "?")).append('\n');
        out.append("machine: ").append(samples.info("machine", "?"));
        if (samples.info.containsKey("load_start")) {
            out.append(", load average ").append(samples.info("load_start", "?")).append(" at the start, ")
                    .append(samples.info("load_end", "?")).append(" at the end");
        }
        out.append('\n');
        out.append("run: ").append(samples.info("date", "?"));
        String took = samples.info("took", null);
        if (took != null) {
            out.append(", took ").append(took);
        }
        out.append(", ").append(samples.info("settings", "")).append('\n');
        out.append("median (spread: p10-p90 with 10 or more samples, else min-max); ratio = holdfast / dockerd\n\n");

        int wl = 52;
        int wv = 24;
        String fmt = "%-" + wl + "s %-6s %-" + wv + "s %-" + wv + "s %-8s %s%n";
        StringBuilder body = new StringBuilder();
        for (Section sec : sections) {
            StringBuilder rows = new StringBuilder();
            for (Row row : sec.rows()) {
                Cell a = samples.cell(row.metric(), A);
                Cell b = samples.cell(row.metric(), B);
                Cell runc = samples.cell(row.metric(), "runc");
                Cell jvm = samples.cell(row.metric(), "jvm");
                if (a == null && b == null && runc == null && jvm == null) {
                    continue;
                }
                String va = show(row, a);
                String vb = show(row, b);
                if (runc != null && a == null && b == null) {
                    va = show(row, runc); // one runc for both: the same floor under both columns
                    vb = va;
                } else if (jvm != null && a == null && b == null) {
                    va = show(row, jvm); // only holdfast runs on a JVM
                }
                Double r = comparison.ratio(row);
                Boolean m = comparison.met(row);
                String target = row.target() == null ? "" : row.target().text(row.unit());
                if (!target.isEmpty()) {
                    target = target + (m == null ? "" : m ? "  met" : "  MISSED");
                }
                rows.append(String.format(Locale.ROOT, fmt, "  " + row.label(), row.unit(), va, vb,
                        r == null ? "" : String.format(Locale.ROOT, "%.2f", r), target));
            }
            if (!rows.isEmpty()) {
                body.append(sec.title()).append('\n').append(rows);
            }
        }
        out.append(String.format(Locale.ROOT, fmt, "figure", "unit", A, B, "ratio", "target"));
        out.append("-".repeat(wl + 8 + 2 * wv + 12 + 24)).append('\n');
        out.append(body);
        String misses = new Misses(samples, comparison).text(sections);
        if (!misses.isEmpty()) {
            out.append('\n').append(misses);
        }
        if (!footnotes.isEmpty()) {
            out.append('\n');
            for (int i = 0; i < footnotes.size(); i++) {
                out.append('[').append(i + 1).append("] ").append(footnotes.get(i)).append('\n');
            }
        }
        return out.toString();
    }

    private String footnote(List<String> reasons) {
        String text = String.join("; ", reasons);
        int i = footnotes.indexOf(text);
        if (i < 0) {
            footnotes.add(text);
            i = footnotes.size() - 1;
        }
        return "[" + (i + 1) + "]";
    }

    /** "median (lo-hi)" in the row's scale, or "n/a [k]", or "" when nothing was measured. */
    private String show(Row row, Cell c) {
        if (c == null) {
            return "";
        }
        String note = c.na.isEmpty() ? "" : " " + footnote(c.na);
        if (c.values.isEmpty()) {
            return c.na.isEmpty() ? "" : "n/a" + note;
        }
        double[] v = c.sorted();
        switch (row.kind()) {
            case PIDS -> {
                Cell total = samples.cell("restart.containers", samples.daemonOf(c, row.metric()));
                long kept = (long) v[0];
                long of = total == null || total.values.isEmpty() ? -1 : (long) (double) total.values.get(0);
                return kept + "/" + (of < 0 ? "?" : of) + (v.length > 1 ? " (worst of " + v.length + ")" : "")
                        + note;
            }
            case COUNT -> {
                // a count over the whole measurement (a sum, not comparable as a ratio: the windows differ)
                return String.format(Locale.ROOT, "%.0f", v[v.length - 1]) + note;
            }
            case VERIFIED -> {
                long ok = 0;
                for (double d : v) {
                    ok += d >= 1 ? 1 : 0;
                }
                return ok + "/" + v.length + " ok" + note;
            }
            default -> {
                double s = row.scale();
                double med = Percentile.of(v, 0.5) * s;
                if (v.length == 1) {
                    return Figures.num(med) + note;
                }
                double lo = v.length >= 10 ? Percentile.of(v, 0.1) : v[0];
                double hi = v.length >= 10 ? Percentile.of(v, 0.9) : v[v.length - 1];
                return Figures.num(med) + " (" + Figures.num(lo * s) + "-" + Figures.num(hi * s) + ")" + note;
            }
        }
    }
}
