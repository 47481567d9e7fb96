import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Turns the samples file into the table (stdout) and the JSON file. Each figure: median and spread per daemon,
 * the ratio holdfast/dockerd, the target and whether it is met. A figure a daemon could not produce shows
 * "n/a" with a numbered footnote giving the reason; a figure nobody measured (not selected) is left out.
 * <p>
 * Usage: {@code Report --samples FILE [--json FILE] [--containers N] [--mb MB]}
 */
public final class Report {
    static final String A = "holdfast";
    static final String B = "dockerd";

    /** How a row is shown and judged. */
    enum Kind { NUMBER, PIDS, VERIFIED, COUNT }

    /** One row of the table. {@code target}: null, "ratio<=X", "ratio>=X", "abs<=X", "abs<X;ratio<=Y". */
    record Row(String metric, String label, String unit, double scale, String target, Kind kind) {
        static Row of(String metric, String label, String unit) {
            return new Row(metric, label, unit, 1, null, Kind.NUMBER);
        }

        Row target(String t) {
            return new Row(metric, label, unit, scale, t, kind);
        }

        Row scale(double s) {
            return new Row(metric, label, unit, s, target, kind);
        }

        Row kind(Kind k) {
            return new Row(metric, label, unit, scale, target, k);
        }
    }

    record Section(String title, List<Row> rows) {}

    /** Samples of one metric and daemon. */
    static final class Cell {
        final List<Double> values = new ArrayList<>();
        final List<String> na = new ArrayList<>();

        double[] sorted() {
            return values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        }

        double median() {
            return BenchSupport.percentile(sorted(), 0.5);
        }
    }

    private final Map<String, Map<String, Cell>> data = new LinkedHashMap<>();
    private final Map<String, String> info = new LinkedHashMap<>();
    private final List<String> footnotes = new ArrayList<>();

    public static void main(String[] argv) throws IOException {
        BenchSupport.Args args = new BenchSupport.Args(argv);
        Report r = new Report();
        r.read(Path.of(args.require("samples")));
        List<Section> sections = r.sections();
        String table = r.table(sections);
        System.out.print(table);
        String json = args.get("json", null);
        if (json != null) {
            Files.writeString(Path.of(json), r.json(sections), StandardCharsets.UTF_8);
        }
    }

    private void read(Path file) throws IOException {
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.split("\t", 4);
            if (f[0].equals("info") && f.length >= 3) {
                info.put(f[1], f[2]);
                continue;
            }
            if (f.length < 3) {
                continue;
            }
            Cell c = data.computeIfAbsent(f[0], k -> new LinkedHashMap<>()).computeIfAbsent(f[1], k -> new Cell());
            if (f[2].equals("NA")) {
                String why = f.length > 3 ? f[3] : "failed";
                if (!c.na.contains(why)) {
                    c.na.add(why);
                }
            } else {
                c.values.add(Double.parseDouble(f[2]));
            }
        }
    }

    private String info(String key, String def) {
        String v = info.get(key);
        return v == null || v.isBlank() ? def : v;
    }

    List<Section> sections() {
        String n = info("containers", "N");
        String mb = info("log_mb", "200");
        List<Section> s = new ArrayList<>();
        s.add(new Section("Run latency (busybox true; " + info("run_reps", "?") + " runs each, after 2 warm-up runs)",
                List.of(
                        Row.of("run.cli", "docker run --rm busybox true (CLI)", "ms").target("ratio<=0.7"),
                        Row.of("run.api.total", "  API: create+start+wait+remove", "ms"),
                        Row.of("run.api.create", "    create", "ms"),
                        Row.of("run.api.start", "    start", "ms"),
                        Row.of("run.api.wait", "    wait (sent after start answered)", "ms"),
                        Row.of("run.api.remove", "    remove", "ms"),
                        Row.of("run.cpu.daemon", "  CPU per container: engine | dockerd", "ms"),
                        Row.of("run.cpu.helper", "  CPU per container: supervisor | containerd", "ms"),
                        Row.of("run.floor", "runc run of the same rootfs, no daemon (floor)", "ms"))));
        s.add(new Section("Restart downtime (" + n + " running containers, kill -9 of engine | dockerd; "
                + info("restart_reps", "?") + " restarts each" + info("restart_warmup", "").transform(w ->
                        w.isEmpty() ? "" : ", " + w) + ")", List.of(
                        Row.of("restart.downtime", "kill -9 -> GET /containers/json lists all running", "ms")
                                .target("abs<1000;ratio<=0.5"),
                        Row.of("restart.kill", "  kill -9 -> process gone", "ms"),
                        Row.of("restart.ready", "  process start -> API answers /_ping", "ms"),
                        Row.of("restart.ready_cpu", "  CPU used by the new process until /_ping", "ms"),
                        Row.of("restart.jvm_floor", "  bare JVM start: java -version (floor)", "ms"),
                        Row.of("restart.restore", "  /_ping -> all containers listed running", "ms"),
                        Row.of("restart.pids_kept", "containers that kept their pid", "").kind(Kind.PIDS))));
        s.add(new Section("Served through a restart (GET 127.0.0.1:PORT/passwd, -p 127.0.0.1:PORT:80 to busybox httpd, "
                + info("served_rate", "?") + " req/s from 1 s before the kill -9 of engine | dockerd until 2 s after"
                + " /_ping answers; " + info("served_reps", "?") + " restarts each, counts summed)", List.of(
                        Row.of("served.failed", "requests served through kill -9 + restart: failed", "req")
                                .target("abs<=0").kind(Kind.COUNT),
                        Row.of("served.ok", "  ... succeeded", "req").kind(Kind.COUNT),
                        Row.of("served.fail_span", "  first to last failed request", "ms"),
                        Row.of("served.ready", "  kill -9 -> API answers /_ping", "ms"),
                        Row.of("served.rate", "  requests sent per second", "req/s"))));
        s.add(new Section("docker cp (a 200 MB directory of 20 files into and out of a running busybox; "
                + info("copy_reps", "?") + " copies each way)", List.of(
                        Row.of("copy.in", "docker cp DIR CONTAINER:/tmp/ (into the container)", "MB/s")
                                .target("ratio>=1"),
                        Row.of("copy.out", "docker cp CONTAINER:/tmp/DIR DIR (out of it)", "MB/s")
                                .target("ratio>=1"))));
        s.add(new Section("Images (a 5-layer image, busybox's layer and 4 of 1 MB, from docker-registry on 127.0.0.1; "
                + info("images_reps", "?") + " pulls and runs each)", List.of(
                        Row.of("images.pull", "docker pull (busybox's layer present; rmi before each)", "ms")
                                .target("ratio<=1"),
                        Row.of("images.run5", "docker run --rm IMAGE true of the 5-layer image", "ms")
                                .target("ratio<=0.7"))));
        s.add(new Section("Memory (idle, " + n + " running containers, right after starting them)", List.of(
                Row.of("mem.shim.uss", "shim USS, median over the containers", "KiB").target("abs<=1024"),
                Row.of("mem.shim.rss", "shim RSS, median over the containers", "KiB"),
                Row.of("mem.shim_tty.uss", "shim USS: run -dit busybox sh, client attached", "KiB")
                        .target("abs<=1024"),
                Row.of("mem.shim_tty.rss", "shim RSS: run -dit busybox sh, client attached", "KiB"),
                Row.of("mem.daemons.rss", "daemons RSS: engine+supervisor | dockerd+containerd", "MiB").scale(1.0 / 1024),
                Row.of("mem.daemons.uss", "daemons USS: engine+supervisor | dockerd+containerd", "MiB").scale(1.0 / 1024),
                Row.of("mem.daemon.rss", "  engine | dockerd RSS", "MiB").scale(1.0 / 1024),
                Row.of("mem.daemon.uss", "  engine | dockerd USS", "MiB").scale(1.0 / 1024),
                Row.of("mem.helper.rss", "  supervisor | containerd RSS", "MiB").scale(1.0 / 1024),
                Row.of("mem.helper.uss", "  supervisor | containerd USS", "MiB").scale(1.0 / 1024),
                Row.of("mem.daemon.heap_committed", "  engine JVM heap committed", "MiB").scale(1.0 / 1024),
                Row.of("mem.daemon.heap_used", "  engine JVM heap used", "MiB").scale(1.0 / 1024),
                Row.of("mem.helper.heap_committed", "  supervisor JVM heap committed", "MiB").scale(1.0 / 1024),
                Row.of("mem.daemon.threads", "  threads: engine | dockerd", ""),
                Row.of("mem.helper.threads", "  threads: supervisor | containerd", ""))));
        s.add(new Section("Memory after the run, logs and API measurements (" + n + " running containers)", List.of(
                Row.of("mem.after.daemons.rss", "daemons RSS: engine+supervisor | dockerd+containerd", "MiB")
                        .scale(1.0 / 1024),
                Row.of("mem.after.daemons.uss", "daemons USS: engine+supervisor | dockerd+containerd", "MiB")
                        .scale(1.0 / 1024),
                Row.of("mem.after.daemon.rss", "  engine | dockerd RSS", "MiB").scale(1.0 / 1024),
                Row.of("mem.after.helper.rss", "  supervisor | containerd RSS", "MiB").scale(1.0 / 1024),
                Row.of("mem.after.daemon.heap_committed", "  engine JVM heap committed", "MiB").scale(1.0 / 1024),
                Row.of("mem.after.daemon.heap_used", "  engine JVM heap used", "MiB").scale(1.0 / 1024),
                Row.of("mem.after.daemon.threads", "  threads: engine | dockerd", ""))));
        List<Row> api = new ArrayList<>();
        for (String ep : List.of("list", "inspect")) {
            String path = ep.equals("list") ? "GET /containers/json?all=1" : "GET /containers/{id}/json";
            for (String c : List.of("1", "16")) {
                api.add(Row.of("api." + ep + ".c" + c, path + ", " + c + " conn" + (c.equals("1") ? "" : "s"),
                        "req/s").target("ratio>=2"));
                api.add(Row.of("api." + ep + ".c" + c + ".p99", "  p99 latency", "ms"));
                api.add(Row.of("api." + ep + ".c" + c + ".cpu.daemon", "  CPU per 1000 requests: engine | dockerd",
                        "ms"));
                api.add(Row.of("api." + ep + ".c" + c + ".cpu.client", "  CPU per 1000 requests: the load client",
                        "ms"));
                api.add(Row.of("api." + ep + ".c" + c + ".busy", "  machine CPU busy during the load", "%"));
            }
        }
        s.add(new Section("API throughput (" + n + " containers; " + info("api_duration", "?")
                + " s per figure and daemon, one sample per second)", api));
        List<Row> logs = new ArrayList<>();
        for (String k : List.of("short", "16k")) {
            String what = k.equals("short") ? "100-byte lines" : "16 KiB lines";
            String m = "logs." + k;
            logs.add(Row.of(m + ".total", what + ": start -> docker logs returned all", "MB/s").target("ratio>=1"));
            logs.add(Row.of(m + ".write", "  write: start -> container exited", "MB/s"));
            logs.add(Row.of(m + ".read", "  read: docker logs", "MB/s"));
            logs.add(Row.of(m + ".verified", "  byte count and order verified", "").kind(Kind.VERIFIED));
            logs.add(Row.of(m + ".file", "  json log file size / bytes written", "x"));
            logs.add(Row.of(m + ".cpu.write.daemon", "  CPU s/100 MB writing: engine | dockerd", "s"));
            logs.add(Row.of(m + ".cpu.write.helper", "  CPU s/100 MB writing: supervisor | containerd", "s"));
            logs.add(Row.of(m + ".cpu.write.shim", "  CPU s/100 MB writing: shim", "s"));
            logs.add(Row.of(m + ".cpu.read.daemon", "  CPU s/100 MB in docker logs: engine | dockerd", "s"));
        }
        s.add(new Section("Log throughput (" + mb + " MB to stdout; " + info("log_reps", "?") + " runs each)", logs));
        s.add(new Section("Creating the " + n + " containers (API create+start, sequential)", List.of(
                Row.of("fleet.start", "create+start all " + n, "ms"))));
        return s;
    }

    // --- numbers --------------------------------------------------------------------------------------------------

    static String num(double v) {
        double a = Math.abs(v);
        if (a >= 100 || v == Math.rint(v) && a >= 10) {
            return String.format(Locale.ROOT, "%.0f", v);
        }
        if (a >= 10) {
            return String.format(Locale.ROOT, "%.1f", v);
        }
        return String.format(Locale.ROOT, "%.2f", v);
    }

    private Cell cell(String metric, String daemon) {
        Map<String, Cell> m = data.get(metric);
        return m == null ? null : m.get(daemon);
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
                Cell total = cell("restart.containers", daemonOf(c, row.metric()));
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
                double med = BenchSupport.percentile(v, 0.5) * s;
                if (v.length == 1) {
                    return num(med) + note;
                }
                double lo = v.length >= 10 ? BenchSupport.percentile(v, 0.1) : v[0];
                double hi = v.length >= 10 ? BenchSupport.percentile(v, 0.9) : v[v.length - 1];
                return num(med) + " (" + num(lo * s) + "-" + num(hi * s) + ")" + note;
            }
        }
    }

    private String daemonOf(Cell c, String metric) {
        for (Map.Entry<String, Cell> e : data.getOrDefault(metric, Map.of()).entrySet()) {
            if (e.getValue() == c) {
                return e.getKey();
            }
        }
        return "";
    }

    private Double ratio(Row row) {
        if (row.kind() != Kind.NUMBER) {
            return null;
        }
        Cell a = cell(row.metric(), A);
        Cell b = cell(row.metric(), B);
        if (a == null || b == null || a.values.isEmpty() || b.values.isEmpty()) {
            return null;
        }
        double mb = b.median();
        return mb == 0 ? null : a.median() / mb;
    }

    /** True/false when the target can be judged, null otherwise. */
    private Boolean met(Row row) {
        if (row.target() == null) {
            return null;
        }
        Cell a = cell(row.metric(), A);
        if (a == null || a.values.isEmpty()) {
            return null;
        }
        Double r = ratio(row);
        boolean ok = true;
        for (String cond : row.target().split(";")) {
            String op = cond.contains("<=") ? "<=" : cond.contains(">=") ? ">=" : cond.contains("<") ? "<" : ">";
            String[] kv = cond.split(op);
            double limit = Double.parseDouble(kv[1]);
            double x;
            if (kv[0].equals("ratio")) {
                if (r == null) {
                    return null;
                }
                x = r;
            } else {
                x = a.median() * row.scale();
            }
            ok &= switch (op) {
                case "<=" -> x <= limit;
                case ">=" -> x >= limit;
                case "<" -> x < limit;
                default -> x > limit;
            };
        }
        return ok;
    }

    private static String targetText(Row row) {
        if (row.target() == null) {
            return "";
        }
        List<String> parts = new ArrayList<>();
        for (String cond : row.target().split(";")) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("(ratio|abs)(<=|>=|<|>)(.*)").matcher(cond);
            if (!m.matches()) {
                parts.add(cond);
            } else if (m.group(1).equals("ratio")) {
                parts.add(m.group(2) + " " + m.group(3) + "x");
            } else {
                parts.add(m.group(2) + " " + m.group(3) + " " + row.unit());
            }
        }
        return String.join(" and ", parts);
    }

    // --- table ----------------------------------------------------------------------------------------------------

    String table(List<Section> sections) {
        StringBuilder out = new StringBuilder();
        out.append("holdfast ").append(info("holdfast", "?")).append("  vs  dockerd ").append(info("dockerd", "?"))
                .append(" (containerd ").append(info("containerd", "?")).append(", --live-restore)\n");
        out.append("runc ").append(info("runc", "?")).append(", docker CLI ").append(info("cli", "?"))
                .append(" for both, ").append(info("java", "?")).append('\n');
        out.append("machine: ").append(info("machine", "?"));
        if (info.containsKey("load_start")) {
            out.append(", load average ").append(info("load_start", "?")).append(" at the start, ")
                    .append(info("load_end", "?")).append(" at the end");
        }
        out.append('\n');
        out.append("run: ").append(info("date", "?"));
        String took = info("took", null);
        if (took != null) {
            out.append(", took ").append(took);
        }
        out.append(", ").append(info("settings", "")).append('\n');
        out.append("median (spread: p10-p90 with 10 or more samples, else min-max); ratio = holdfast / dockerd\n\n");

        int wl = 52;
        int wv = 24;
        String fmt = "%-" + wl + "s %-6s %-" + wv + "s %-" + wv + "s %-8s %s%n";
        StringBuilder body = new StringBuilder();
        for (Section sec : sections) {
            StringBuilder rows = new StringBuilder();
            for (Row row : sec.rows()) {
                Cell a = cell(row.metric(), A);
                Cell b = cell(row.metric(), B);
                Cell runc = cell(row.metric(), "runc");
                Cell jvm = cell(row.metric(), "jvm");
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
                Double r = ratio(row);
                Boolean m = met(row);
                String target = targetText(row);
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
        String misses = misses(sections);
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

    /** Higher is better for rates, lower for times, memory and CPU. */
    private static boolean higherIsBetter(Row row) {
        return row.unit().endsWith("/s");
    }

    /**
     * For every target holdfast misses: the breakdown rows under it (the indented rows that follow, up to the next
     * headline) where holdfast does worse than dockerd by more than 5 %, grouped by unit, the biggest gap first, so the
     * next change knows where to aim.
     */
    String misses(List<Section> sections) {
        StringBuilder out = new StringBuilder();
        for (Section sec : sections) {
            List<Row> rows = sec.rows();
            for (int i = 0; i < rows.size(); i++) {
                Row head = rows.get(i);
                if (!Boolean.FALSE.equals(met(head))) {
                    continue;
                }
                Cell ha = cell(head.metric(), A);
                Cell hb = cell(head.metric(), B);
                out.append(out.isEmpty() ? "Where holdfast misses its targets (breakdown rows where it does worse than"
                        + " dockerd, biggest gap first):\n" : "");
                out.append("  ").append(head.label().strip()).append(": ").append(num(ha.median() * head.scale()))
                        .append(' ').append(head.unit());
                if (hb != null && !hb.values.isEmpty()) {
                    out.append(" vs ").append(num(hb.median() * head.scale())).append(' ').append(head.unit());
                }
                out.append(", target ").append(targetText(head)).append('\n');
                List<double[]> gaps = new ArrayList<>();
                List<String> texts = new ArrayList<>();
                List<String> units = new ArrayList<>();
                for (int k = i + 1; k < rows.size() && rows.get(k).label().startsWith("  "); k++) {
                    Row r = rows.get(k);
                    if (r.kind() != Kind.NUMBER) {
                        continue;
                    }
                    Cell a = cell(r.metric(), A);
                    Cell b = cell(r.metric(), B);
                    if (a == null || b == null || a.values.isEmpty() || b.values.isEmpty()) {
                        continue;
                    }
                    double ma = a.median() * r.scale();
                    double mb = b.median() * r.scale();
                    boolean worse = higherIsBetter(r) ? ma < mb * 0.95 : ma > mb * 1.05;
                    if (r.unit().equals(head.unit()) && !higherIsBetter(r)
                            && ma - mb < 0.02 * ha.median() * head.scale()) {
                        worse = false; // under 2 % of the headline figure: noise, not a place to aim at
                    }
                    if (!worse || r.metric().endsWith(".busy") || r.metric().endsWith(".cpu.client")) {
                        continue;
                    }
                    // the gap, comparable within a group of rows of one unit: how much more time/memory/CPU, or
                    // how many times slower for rates
                    double gap = higherIsBetter(r) ? mb / Math.max(ma, 1e-9) : ma - mb;
                    int group = units.indexOf(r.unit());
                    if (group < 0) {
                        units.add(r.unit());
                        group = units.size() - 1;
                    }
                    gaps.add(new double[] {group, gap, texts.size()});
                    String diff = higherIsBetter(r) ? String.format(Locale.ROOT, "%.1fx slower", mb / ma)
                            : "+" + num(ma - mb) + " " + r.unit();
                    texts.add(r.label().strip() + ": " + num(ma) + " vs " + num(mb) + " " + r.unit() + " (" + diff
                            + ")");
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
                Cell busy = cell(head.metric() + ".busy", A);
                Cell client = cell(head.metric() + ".cpu.client", A);
                Cell engine = cell(head.metric() + ".cpu.daemon", A);
                if (busy != null && client != null && engine != null && !busy.values.isEmpty()
                        && !client.values.isEmpty() && !engine.values.isEmpty() && busy.median() >= 90) {
                    out.append(String.format(Locale.ROOT, "    - the machine was %.0f %% busy while holdfast was under"
                            + " load: per 1000 requests the load client used %s ms of CPU, the engine %s ms;"
                            + " on these %s cores the client %s\n", busy.median(), num(client.median()),
                            num(engine.median()), Runtime.getRuntime().availableProcessors(),
                            client.median() > engine.median() ? "is the bigger part of the limit"
                                    : "is not the main limit"));
                }
            }
        }
        return out.toString();
    }

    // --- JSON -----------------------------------------------------------------------------------------------------

    String json(List<Section> sections) {
        StringBuilder j = new StringBuilder("{\n  \"info\": {");
        int k = 0;
        for (Map.Entry<String, String> e : info.entrySet()) {
            j.append(k++ == 0 ? "\n" : ",\n").append("    ").append(BenchSupport.Json.quote(e.getKey())).append(": ")
                    .append(BenchSupport.Json.quote(e.getValue()));
        }
        j.append("\n  },\n  \"figures\": [");
        k = 0;
        for (Section sec : sections) {
            for (Row row : sec.rows()) {
                if (!data.containsKey(row.metric())) {
                    continue;
                }
                j.append(k++ == 0 ? "\n" : ",\n").append("    {\"metric\": ").append(BenchSupport.Json.quote(
                        row.metric())).append(", \"section\": ").append(BenchSupport.Json.quote(sec.title()))
                        .append(", \"label\": ").append(BenchSupport.Json.quote(row.label().strip()))
                        .append(", \"unit\": ").append(BenchSupport.Json.quote(row.unit()));
                Double r = ratio(row);
                j.append(", \"ratio\": ").append(r == null ? "null" : String.format(Locale.ROOT, "%.4f", r));
                j.append(", \"target\": ").append(row.target() == null ? "null"
                        : BenchSupport.Json.quote(targetText(row)));
                Boolean m = met(row);
                j.append(", \"target_met\": ").append(m == null ? "null" : m.toString()).append('}');
            }
        }
        j.append("\n  ],\n  \"samples\": {");
        k = 0;
        for (Map.Entry<String, Map<String, Cell>> e : data.entrySet()) {
            j.append(k++ == 0 ? "\n" : ",\n").append("    ").append(BenchSupport.Json.quote(e.getKey()))
                    .append(": {");
            int d = 0;
            for (Map.Entry<String, Cell> ce : e.getValue().entrySet()) {
                Cell c = ce.getValue();
                double[] v = c.sorted();
                j.append(d++ == 0 ? "" : ", ").append(BenchSupport.Json.quote(ce.getKey())).append(": {");
                j.append("\"n\": ").append(v.length);
                if (v.length > 0) {
                    j.append(String.format(Locale.ROOT,
                            ", \"median\": %.6g, \"p10\": %.6g, \"p90\": %.6g, \"min\": %.6g, \"max\": %.6g",
                            BenchSupport.percentile(v, 0.5), BenchSupport.percentile(v, 0.1),
                            BenchSupport.percentile(v, 0.9), v[0], v[v.length - 1]));
                }
                j.append(", \"values\": [");
                for (int i = 0; i < c.values.size(); i++) {
                    j.append(i == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.6g", c.values.get(i)));
                }
                j.append("]");
                if (!c.na.isEmpty()) {
                    j.append(", \"na\": [");
                    for (int i = 0; i < c.na.size(); i++) {
                        j.append(i == 0 ? "" : ", ").append(BenchSupport.Json.quote(c.na.get(i)));
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
