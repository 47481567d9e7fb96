package dev.holdfast.bench.measure;

import dev.holdfast.bench.api.DockerApi;
import dev.holdfast.bench.api.UnixHttp;
import dev.holdfast.bench.harness.Args;
import dev.holdfast.bench.harness.DaemonProcesses;
import dev.holdfast.bench.harness.DockerCli;
import dev.holdfast.bench.harness.Errors;
import dev.holdfast.bench.harness.Progress;
import dev.holdfast.bench.harness.Samples;
import dev.holdfast.bench.harness.Target;
import dev.holdfast.bench.harness.Usage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Run latency, interleaved across daemons (A B A B ...):
 * <ul>
 *   <li>{@code run.cli}: wall time of {@code docker run --rm busybox true} through the real CLI;</li>
 *   <li>{@code run.api.create|start|wait|remove|total}: the same container life split into its API calls, on one
 *       keep-alive connection (wait is sent once start has answered, as {@code docker start; docker wait} would);</li>
 *   <li>{@code run.floor} (daemon "runc"): {@code runc run} of the busybox rootfs, no daemon at all.</li>
 * </ul>
 * Usage: {@link #USAGE}.
 */
public final class RunPhases {
    private static final Map<String, String> LABELS = Map.of("hfbench", "run");

    static final String USAGE = "RunPhases --daemon NAME=SOCK... --docker CLI --samples FILE [--reps 20] [--warmup 2]"
            + " [--procs NAME=daemon:PID,helper:PID]... [--runc PATH --floor-root DIR --floor-bundle"
            + " DIR]";

    public static void main(String[] argv) throws Exception {
        Usage.run(USAGE, argv, RunPhases::run);
    }

    private static void run(Args args) throws Exception {
        List<Target> targets = args.targets();
        String docker = args.require("docker");
        int reps = args.getInt("reps", 20);
        int warmup = args.getInt("warmup", 2);
        Samples samples = new Samples(Path.of(args.require("samples")));
        String runc = args.get("runc", null);
        Path floorRoot = runc == null ? null : Path.of(args.require("floor-root"));
        Path floorBundle = runc == null ? null : Path.of(args.require("floor-bundle"));

        // A daemon that fails a kind of measurement is dropped from that kind, with its reason recorded once.
        Map<String, String> cliFailed = new LinkedHashMap<>();
        Map<String, String> apiFailed = new LinkedHashMap<>();
        String floorFailed = null;
        Map<String, UnixHttp> conns = new LinkedHashMap<>();
        Map<String, Map<String, Long>> procs = DaemonProcesses.of(args);
        Map<String, Map<String, Double>> cpu = new LinkedHashMap<>();

        for (int rep = -warmup; rep < reps; rep++) {
            boolean record = rep >= 0;
            String phase = record ? "run latency " + (rep + 1) + "/" + reps : "run latency warm-up";
            for (Target t : targets) {
                if (cliFailed.containsKey(t.name())) {
                    continue;
                }
                Progress.show(phase + ": docker run --rm (" + t.name() + ")");
                DockerCli.Result r = DockerCli.run(docker, t, 120_000, "run", "--rm", "busybox", "true");
                if (r.exit() != 0) {
                    String why = "docker run --rm busybox true exited " + r.exit() + ": "
                            + Errors.cliError(r.stderr());
                    cliFailed.put(t.name(), why);
                    samples.na("run.cli", t.name(), why);
                    continue;
                }
                if (record) {
                    samples.add("run.cli", t.name(), Samples.ms(r.nanos()));
                }
            }
            for (Target t : targets) {
                if (apiFailed.containsKey(t.name())) {
                    continue;
                }
                Progress.show(phase + ": create/start/wait/remove (" + t.name() + ")");
                try {
                    UnixHttp http = conns.get(t.name());
                    if (http == null) {
                        http = new UnixHttp(t.socket());
                        conns.put(t.name(), http);
                    }
                    Map<String, Double> before = DaemonProcesses.cpuSnapshot(procs.get(t.name()));
                    long[] phases = apiRun(http, t);
                    Map<String, Double> after = DaemonProcesses.cpuSnapshot(procs.get(t.name()));
                    if (record) {
                        Map<String, Double> acc = cpu.computeIfAbsent(t.name(), k -> new LinkedHashMap<>());
                        before.forEach((role, v) -> {
                            double w = after.getOrDefault(role, -1.0);
                            if (v >= 0 && w >= 0) {
                                acc.merge(role, w - v, Double::sum);
                            }
                        });
                        samples.add("run.api.create", t.name(), Samples.ms(phases[0]));
                        samples.add("run.api.start", t.name(), Samples.ms(phases[1]));
                        samples.add("run.api.wait", t.name(), Samples.ms(phases[2]));
                        samples.add("run.api.remove", t.name(), Samples.ms(phases[3]));
                        samples.add("run.api.total", t.name(),
                                Samples.ms(phases[0] + phases[1] + phases[2] + phases[3]));
                    }
                } catch (IOException | RuntimeException e) {
                    String why = Errors.reason(e);
                    apiFailed.put(t.name(), why);
                    for (String m : List.of("create", "start", "wait", "remove", "total")) {
                        samples.na("run.api." + m, t.name(), why);
                    }
                }
            }
            if (runc != null && floorFailed == null) {
                Progress.show(phase + ": runc run (floor)");
                try {
                    long dt = runcRun(runc, floorRoot, floorBundle, "hfb-floor-" + ProcessHandle.current().pid()
                            + "-" + (rep + warmup));
                    if (record) {
                        samples.add("run.floor", "runc", Samples.ms(dt));
                    }
                } catch (IOException | RuntimeException e) {
                    floorFailed = Errors.reason(e);
                    samples.na("run.floor", "runc", floorFailed);
                }
            }
        }
        conns.values().forEach(UnixHttp::close);
        // CPU per container life (create+start+wait+remove), averaged: /proc counts in 10 ms ticks.
        cpu.forEach((name, acc) -> {
            if (!apiFailed.containsKey(name) && reps > 0) {
                acc.forEach((role, total) -> samples.add("run.cpu." + role, name, total / reps));
            }
        });
    }

    /** create, start, wait, remove of busybox true; returns the four durations in ns. */
    private static long[] apiRun(UnixHttp http, Target t) throws IOException {
        String body = DockerApi.createBody(List.of("true"), LABELS);
        String id = null;
        try {
            long t0 = System.nanoTime();
            id = DockerApi.create(http, body);
            long t1 = System.nanoTime();
            DockerApi.start(http, id);
            long t2 = System.nanoTime();
            int code = DockerApi.await(http, id, 60_000);
            long t3 = System.nanoTime();
            if (code != 0) {
                throw new IllegalStateException("busybox true exited " + code);
            }
            DockerApi.remove(http, id, false);
            long t4 = System.nanoTime();
            id = null;
            return new long[] {t1 - t0, t2 - t1, t3 - t2, t4 - t3};
        } finally {
            DockerApi.removeQuietly(t.socket(), id);
        }
    }

    /** {@code runc run} in the foreground (runc deletes the container when it exits); returns the wall time. */
    private static long runcRun(String runc, Path root, Path bundle, String id) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(runc, "--root", root.toString(), "run", "--bundle",
                bundle.toString(), id));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectErrorStream(false);
        long t0 = System.nanoTime();
        Process p = pb.start();
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("runc run did not finish within 60 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted");
        }
        long dt = System.nanoTime() - t0;
        if (p.exitValue() != 0) {
            String err = new String(p.getErrorStream().readAllBytes());
            throw new IllegalStateException("runc run exited " + p.exitValue() + ": " + Errors.oneLine(err));
        }
        return dt;
    }
}
