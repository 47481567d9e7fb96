package dev.holdfast.bench.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Where holdfast misses its targets, and the breakdown rows that show where the time or memory goes. */
final class Misses {
    private static final String A = Comparison.A;
    private static final String B = Comparison.B;

    private final SampleTable samples;
    private final Comparison comparison;

    Misses(SampleTable samples, Comparison comparison) {
        this.samples = samples;
        this.comparison = comparison;
    }

    /**
     * For every target holdfast misses: the breakdown rows under it (the indented rows that follow, up to the next
     * headline) where holdfast does worse than dockerd by more than 5 %, grouped by unit, the biggest gap first, so the
     * next change knows where to aim.
     */
    String text(List<Section> sections) {
        StringBuilder out = new StringBuilder();
        for (Section sec : sections) {
            List<Row> rows = sec.rows();
            for (int i = 0; i < rows.size(); i++) {
                Row head = rows.get(i);
                if (!Boolean.FALSE.equals(comparison.met(head))) {
                    continue;
                }
                Cell ha = samples.cell(head.metric(), A);
                Cell hb = samples.cell(head.metric(), B);
                out.append(out.isEmpty() ? "Where holdfast misses its targets (breakdown rows where it does worse than"
                        + " dockerd, biggest gap first):\n" : "");
                out.append("  ").append(head.label().strip()).append(": ")
                        .append(Figures.num(ha.median() * head.scale())).append(' ').append(head.unit());
                if (hb != null && !hb.values.isEmpty()) {
                    out.append(" vs ").append(Figures.num(hb.median() * head.scale())).append(' ').append(head.unit());
                }
                out.append(", target ").append(head.target().text(head.unit()));
                for (Target.Condition c : head.target().conditions()) {
                    if (c.basis() == Target.Basis.OWN) {
                        out.append(", ").append(c.baselineName()).append(' ')
                                .append(Figures.num(samples.cell(c.baseline(), A).median() * head.scale())).append(' ')
                                .append(head.unit());
                    }
                }
                out.append('\n');
                List<double[]> gaps = new ArrayList<>();
                List<String> texts = new ArrayList<>();
                List<String> units = new ArrayList<>();
                for (int k = i + 1; k < rows.size() && rows.get(k).isBreakdown(); k++) {
                    Row r = rows.get(k);
                    if (r.kind() != Row.Kind.NUMBER) {
                        continue;
                    }
                    Cell a = samples.cell(r.metric(), A);
                    Cell b = samples.cell(r.metric(), B);
                    if (a == null || b == null || a.values.isEmpty() || b.values.isEmpty()) {
                        continue;
                    }
                    double ma = a.median() * r.scale();
                    double mb = b.median() * r.scale();
                    boolean worse = r.higherIsBetter() ? ma < mb * 0.95 : ma > mb * 1.05;
                    if (r.unit().equals(head.unit()) && !r.higherIsBetter()
                            && ma - mb < 0.02 * ha.median() * head.scale()) {
                        worse = false; // under 2 % of the headline figure: noise, not a place to aim at
                    }
                    if (!worse || r.metric().endsWith(".busy") || r.metric().endsWith(".cpu.client")) {
                        continue;
                    }
                    // the gap, comparable within a group of rows of one unit: how much more time/memory/CPU, or
                    // how many times slower for rates
                    double gap = r.higherIsBetter() ? mb / Math.max(ma, 1e-9) : ma - mb;
                    int group = units.indexOf(r.unit());
                    if (group < 0) {
                        units.add(r.unit());
                        group = units.size() - 1;
                    }
                    gaps.add(new double[] {group, gap, texts.size()});
                    String diff = r.higherIsBetter() ? String.format(Locale.ROOT, "%.1fx slower", mb / ma)
                            : "+" + Figures.num(ma - mb) + " " + r.unit();
                    texts.add(r.label().strip() + ": " + Figures.num(ma) + " vs " + Figures.num(mb) + " " + r.unit()
                            + " (" + diff + ")");
                }
                // rows of one unit together (in table order), the biggest gap first within each; a gap under a
                // tenth of its group's biggest is left out: not where the time goes
                double[] maxGap = new double[units.size()];
                for (double[] g : gaps) {
                    maxGap[(int) g[0]] = Math.max(maxGap[(int) g[0]], g[1]);
                }
                gaps.removeIf(g -> g[1] < 0.1 * maxGap[(int) g[0]]);
                gaps.sort((x, y) -> x[0] != y[0] ? Double.compare(x[0], y[0]) : Double.compare(y[1], x[1]));
                for (double[] g : gaps) {
                    out.append("    - ").append(texts.get((int) g[2])).append('\n');
                }
                if (gaps.isEmpty()) {
                    out.append("    - no breakdown row shows holdfast behind dockerd\n");
                }
                Cell busy = samples.cell(head.metric() + ".busy", A);
                Cell client = samples.cell(head.metric() + ".cpu.client", A);
                Cell engine = samples.cell(head.metric() + ".cpu.daemon", A);
                if (busy != null && client != null && engine != null && !busy.values.isEmpty()
                        && !client.values.isEmpty() && !engine.values.isEmpty() && busy.median() >= 90) {
                    out.append(String.format(Locale.ROOT, "    - the machine was %.0f %% busy while holdfast was under"
                            + " load: per 1000 requests the load client used %s ms of CPU, the engine %s ms;"
                            + " on these %s cores the client %s\n", busy.median(), Figures.num(client.median()),
                            Figures.num(engine.median()), Runtime.getRuntime().availableProcessors(),
                            client.median() > engine.median() ? "is the bigger part of the limit"
                                    : "is not the main limit"));
                }
            }
        }
        return out.toString();
    }
}
