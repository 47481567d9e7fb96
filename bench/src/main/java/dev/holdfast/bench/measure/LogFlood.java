package dev.holdfast.bench.measure;

import dev.holdfast.bench.api.DockerApi;
import dev.holdfast.bench.api.UnixHttp;
import dev.holdfast.bench.harness.Args;
import dev.holdfast.bench.harness.DaemonProcesses;
import dev.holdfast.bench.harness.Errors;
import dev.holdfast.bench.harness.Procfs;
import dev.holdfast.bench.harness.Progress;
import dev.holdfast.bench.harness.Samples;
import dev.holdfast.bench.harness.Target;
import dev.holdfast.bench.harness.Usage;
import dev.holdfast.bench.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Log throughput: a container writes about {@code --mb} MB to stdout as fast as it can; the figure is MB/s from the
 * start request until the container has exited and {@code docker logs} (the real CLI) has returned all of it. Every
 * byte that docker logs prints is compared with what the container wrote, so the byte count and the order are
 * verified, not assumed.
 * <p>
 * What the container writes: a block of numbered lines is built once in /tmp (busybox awk), then written B times,
 * each copy preceded by a line {@code block I}. Kinds: {@code short} = 100-byte lines ({@code yes}-style flood, 10,000
 * per block), {@code 16k} = 16 KiB lines (64 per block; both daemons split json-file entries at 16 KiB, docker logs
 * joins them again).
 * <p>
 * Records, per kind K: {@code logs.K.total} (MB/s, start to logs returned), {@code logs.K.write} (MB/s, start to
 * exit), {@code logs.K.read} (MB/s, docker logs alone), {@code logs.K.verified} (1 or 0), {@code logs.K.file} (MB of
 * the json log file per MB written) and CPU seconds per 100 MB of each daemon process and of the shim
 * ({@code logs.K.cpu.ROLE}).
 * <p>
 * Usage: {@link #USAGE}. A run that takes longer than
 * {@code --run-timeout} seconds (start to logs returned) is abandoned and reported n/a with the bound it missed, and
 * that daemon skips the remaining runs of that kind: a very slow daemon must not eat the whole time budget.
 */
public final class LogFlood {
    /** The expected output: "block I\n" + the block, B times. */
    record Pattern(String kind, int lineLen, int lines, int blocks, byte[] block) {
        static Pattern of(String kind, double mb) {
            int lineLen;
            int lines;
            switch (kind) {
                case "short" -> {
                    lineLen = 100;
                    lines = 10_000;
                }
                case "16k" -> {
                    lineLen = 16 * 1024;
                    lines = 64;
                }
                default -> throw new IllegalArgumentException("unknown log kind " + kind + " (short, 16k)");
            }
            int fill = lineLen - 8; // "%06d " + fill + "\n"
            StringBuilder sb = new StringBuilder(lineLen * lines);
            String ys = "y".repeat(fill);
            for (int j = 0; j < lines; j++) {
                sb.append(String.format(Locale.ROOT, "%06d ", j)).append(ys).append('\n');
            }
            byte[] block = sb.toString().getBytes(StandardCharsets.US_ASCII);
            int blocks = (int) Math.max(1, Math.round(mb * 1e6 / block.length));
            return new Pattern(kind, lineLen, lines, blocks, block);
        }

        String script() {
            return "awk -v n=" + lines + " -v w=" + (lineLen - 8)
                    + " 'BEGIN{s=\"y\";while(length(s)<w)s=s s;s=substr(s,1,w);"
                    + "for(j=0;j<n;j++)printf \"%06d %s\\n\",j,s}'"
                    + " >/tmp/block && i=0 && while [ $i -lt " + blocks + " ]; do echo \"block $i\"; cat /tmp/block;"
                    + " i=$((i+1)); done";
        }

        long totalBytes() {
            long t = (long) block.length * blocks;
            for (int b = 0; b < blocks; b++) {
                t += ("block " + b + "\n").length();
            }
            return t;
        }
    }

    /** Compares a stream with the pattern as it arrives. */
    static final class Checker {
        private final Pattern p;
        private int blockIndex;
        private byte[] piece;
        private int pos;
        private boolean inHeader = true;
        long seen;
        long firstDifference = -1;

        Checker(Pattern p) {
            this.p = p;
            piece = header(0);
        }

        private static byte[] header(int b) {
            return ("block " + b + "\n").getBytes(StandardCharsets.US_ASCII);
        }

        void accept(byte[] buf, int off, int len) {
            if (firstDifference >= 0 || blockIndex >= p.blocks) {
                if (firstDifference < 0 && len > 0) {
                    firstDifference = seen;
                }
                seen += len;
                return;
            }
            while (len > 0) {
                int n = Math.min(len, piece.length - pos);
                int mm = Arrays.mismatch(buf, off, off + n, piece, pos, pos + n);
                if (mm >= 0) {
                    firstDifference = seen + mm;
                    seen += len;
                    return;
                }
                seen += n;
                off += n;
                len -= n;
                pos += n;
                if (pos == piece.length) {
                    pos = 0;
                    if (inHeader) {
                        piece = p.block;
                        inHeader = false;
                    } else {
                        blockIndex++;
                        piece = header(blockIndex);
                        inHeader = true;
                        if (blockIndex >= p.blocks) {
                            if (len > 0) {
                                firstDifference = seen;
                                seen += len;
                            }
                            return;
                        }
                    }
                }
            }
        }
    }

    static final String USAGE = "LogFlood --daemon NAME=SOCK... --docker CLI --samples FILE [--reps 3] [--mb 200]"
            + " [--kinds short,16k] [--procs NAME=daemon:PID,helper:PID]... [--run-timeout 180]";

    public static void main(String[] argv) throws Exception {
        Usage.run(USAGE, argv, LogFlood::run);
    }

    private static void run(Args args) throws Exception {
        List<Target> targets = args.targets();
        String docker = args.require("docker");
        int reps = args.getInt("reps", 3);
        double mb = args.getDouble("mb", 200);
        Samples samples = new Samples(Path.of(args.require("samples")));
        Map<String, Map<String, Long>> procs = DaemonProcesses.of(args);
        List<String> kinds = List.of(args.get("kinds", "short,16k").split(","));
        long timeoutMs = args.getInt("run-timeout", 180) * 1000L;

        Map<String, String> dead = new LinkedHashMap<>(); // daemons that stopped answering: skipped from then on
        for (String kind : kinds) {
            Pattern p = Pattern.of(kind, mb);
            Set<String> failed = new HashSet<>();
            dead.forEach((name, why) -> {
                failed.add(name);
                for (String m : List.of("total", "write", "read", "verified")) {
                    samples.na("logs." + kind + "." + m, name, why);
                }
            });
            Map<String, Integer> verified = new LinkedHashMap<>();
            for (int rep = 0; rep < reps; rep++) {
                for (Target t : targets) {
                    if (failed.contains(t.name())) {
                        continue;
                    }
                    String phase = "logs " + kind + " " + (rep + 1) + "/" + reps + " (" + t.name() + ")";
                    try {
                        boolean ok = once(t, p, docker, procs.get(t.name()), samples, phase, rep, timeoutMs);
                        verified.merge(t.name(), ok ? 1 : 0, Integer::sum);
                    } catch (Exception e) {
                        failed.add(t.name());
                        String why = Errors.reason(e);
                        if (!answers(t)) {
                            dead.put(t.name(), "the daemon stopped answering GET /containers/json after: " + why);
                        }
                        for (String m : List.of("total", "write", "read", "verified")) {
                            samples.na("logs." + kind + "." + m, t.name(), why);
                        }
                    }
                }
            }
        }
    }

    /** Whether the daemon still answers GET /containers/json within 10 s. */
    private static boolean answers(Target t) {
        try (UnixHttp h = new UnixHttp(t.socket())) {
            return h.request("GET", DockerApi.API + "/containers/json?limit=1", null, 10_000).status() == 200;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static String tooSlow(Pattern p, long timeoutMs, String state) {
        return String.format(Locale.ROOT, "slower than %.1f MB/s: after %d s %s (of %d bytes)",
                p.totalBytes() / 1e6 / (timeoutMs / 1000.0), timeoutMs / 1000, state, p.totalBytes());
    }

    private static boolean once(Target t, Pattern p, String docker, Map<String, Long> roles,
            Samples samples, String phase, int rep, long timeoutMs) throws Exception {
        String id = null;
        try (UnixHttp http = new UnixHttp(t.socket())) {
            Progress.show(phase + ": writing " + String.format(Locale.ROOT, "%.0f", p.totalBytes() / 1e6)
                    + " MB");
            id = DockerApi.create(http, DockerApi.createBody(List.of("sh", "-c", p.script()),
                    Map.of("hfbench", "logs")));
            Map<String, Double> cpu0 = DaemonProcesses.cpuSnapshot(roles);
            long t0 = System.nanoTime();
            DockerApi.start(http, id);
            long shim = Procfs.shimOf(id);
            double shimCpu0 = shim > 0 ? Procfs.cpuMillis(shim) : -1;
            double shimCpu1 = -1;
            int code = -1;
            // Sample the shim's CPU while it lives: it exits right after the container, taking its counters along.
            UnixHttp waiter = new UnixHttp(t.socket());
            try {
                final String cid = id;
                final int[] exit = {-1};
                final Exception[] err = {null};
                Thread w = new Thread(() -> {
                    try {
                        exit[0] = DockerApi.await(waiter, cid, timeoutMs);
                    } catch (Exception e) {
                        err[0] = e;
                    }
                });
                w.start();
                while (w.isAlive()) {
                    if (shim > 0) {
                        double c = Procfs.cpuMillis(shim);
                        if (c >= 0) {
                            shimCpu1 = c;
                        }
                    }
                    w.join(20);
                }
                if (err[0] != null) {
                    if (System.nanoTime() - t0 >= timeoutMs * 1_000_000L) {
                        throw new IllegalStateException(tooSlow(p, timeoutMs, "the container had not exited"));
                    }
                    throw err[0];
                }
                code = exit[0];
            } finally {
                waiter.close();
            }
            long t1 = System.nanoTime();
            Map<String, Double> cpu1 = DaemonProcesses.cpuSnapshot(roles);
            if (code != 0) {
                throw new IllegalStateException("the log writer exited " + code);
            }
            Progress.show(phase + ": docker logs");
            ProcessBuilder pb = new ProcessBuilder(docker, "logs", id);
            pb.environment().put("DOCKER_HOST", t.dockerHost());
            pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            Path err = Files.createTempFile("bench-logs", ".err");
            pb.redirectError(err.toFile());
            Checker check = new Checker(p);
            Process proc = pb.start();
            long left = timeoutMs - (System.nanoTime() - t0) / 1_000_000L;
            Thread dog = Thread.ofPlatform().daemon().start(() -> {
                try {
                    if (!proc.waitFor(Math.max(1, left), TimeUnit.MILLISECONDS)) {
                        proc.destroyForcibly();
                    }
                } catch (InterruptedException ignored) {
                    // the run finished first
                }
            });
            try (InputStream in = proc.getInputStream()) {
                byte[] buf = new byte[1 << 20];
                int n;
                while ((n = in.read(buf)) > 0) {
                    check.accept(buf, 0, n);
                }
            }
            proc.waitFor();
            dog.interrupt();
            long t2 = System.nanoTime();
            if (t2 - t0 >= timeoutMs * 1_000_000L) {
                throw new IllegalStateException(tooSlow(p, timeoutMs, "docker logs had returned " + check.seen
                        + " bytes"));
            }
            Map<String, Double> cpu2 = DaemonProcesses.cpuSnapshot(roles);
            String stderr = Files.readString(err);
            Files.deleteIfExists(err);
            if (proc.exitValue() != 0) {
                throw new IllegalStateException("docker logs exited " + proc.exitValue() + ": "
                        + Errors.cliError(stderr));
            }
            long expected = p.totalBytes();
            String metric = "logs." + p.kind();
            boolean ok = check.firstDifference < 0 && check.seen == expected;
            samples.add(metric + ".verified", t.name(), ok ? 1 : 0);
            if (!ok) {
                String why = "repetition " + (rep + 1) + ": docker logs returned " + check.seen + " bytes of "
                        + expected + (check.firstDifference >= 0 ? ", first difference at byte "
                        + check.firstDifference : " (all in order)");
                samples.na(metric + ".total", t.name(), why);
                System.err.println("\n" + phase + ": " + why);
                return false;
            }
            double mbytes = expected / 1e6;
            samples.add(metric + ".total", t.name(), mbytes / ((t2 - t0) / 1e9));
            samples.add(metric + ".write", t.name(), mbytes / ((t1 - t0) / 1e9));
            samples.add(metric + ".read", t.name(), mbytes / ((t2 - t1) / 1e9));
            double per100 = 100.0 / mbytes;
            cpu0.forEach((role, c0) -> {
                double c2 = cpu2.getOrDefault(role, -1.0);
                double c1 = cpu1.getOrDefault(role, -1.0);
                if (c0 >= 0 && c1 >= 0 && c2 >= 0) {
                    samples.add(metric + ".cpu.write." + role, t.name(), (c1 - c0) / 1000 * per100);
                    samples.add(metric + ".cpu.read." + role, t.name(), (c2 - c1) / 1000 * per100);
                }
            });
            if (shimCpu0 >= 0 && shimCpu1 >= 0) {
                samples.add(metric + ".cpu.write.shim", t.name(), (shimCpu1 - shimCpu0) / 1000 * per100);
            }
            Object logPath = Json.at(http.get(DockerApi.API + "/containers/" + id + "/json")
                    .expect(200).json(), "LogPath");
            if (logPath instanceof String lp && !lp.isEmpty() && Files.exists(Path.of(lp))) {
                samples.add(metric + ".file", t.name(), Files.size(Path.of(lp)) / (double) expected);
            }
            DockerApi.remove(http, id, true);
            id = null;
            return true;
        } finally {
            DockerApi.removeQuietly(t.socket(), id);
        }
    }
}
