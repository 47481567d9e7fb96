package dev.holdfast.bench.measure;

import dev.holdfast.bench.api.DockerApi;
import dev.holdfast.bench.api.Response;
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
import dev.holdfast.bench.stats.Percentile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;

/**
 * API throughput: C keep-alive HTTP/1.1 connections over the daemon's unix socket, each sending the next request as
 * soon as the previous answer is read, for a fixed time. Counts 200 answers per one-second window; any other answer
 * or a broken connection makes the figure n/a for that daemon (a daemon answering errors fast is not fast).
 * <p>
 * Endpoints: {@code list} = {@code GET /containers/json?all=1}, {@code inspect} = {@code GET /containers/{id}/json}
 * cycling through the running containers. Each (endpoint, concurrency) gets {@code --duration} seconds per daemon,
 * split into {@code --rounds} interleaved rounds (A B A B), after a short unrecorded warm-up per daemon.
 * Records {@code api.ENDPOINT.cC} (req/s, one sample per full second), {@code api.ENDPOINT.cC.p99} (ms) and, with
 * {@code --procs}, {@code api.ENDPOINT.cC.cpu.ROLE}: CPU ms of each daemon process per 1000 requests (one sample per
 * round; role "client" is this load client), and {@code api.ENDPOINT.cC.busy}: % of all the machine's CPU time busy
 * during the round. On a small machine the load client and the daemon share the cores: when the machine is ~100 %
 * busy, the daemon's CPU per request is what decides, and the client's share caps what any daemon can show.
 * <p>
 * Usage: {@link #USAGE}.
 */
public final class ApiLoad {
    static final String USAGE = "ApiLoad --daemon NAME=SOCK... --samples FILE [--duration 10] [--rounds 2]"
            + " [--conc 1,16] [--endpoints list,inspect] [--warmup 1] [--procs NAME=daemon:PID,helper:PID]...";

    public static void main(String[] argv) throws Exception {
        Usage.run(USAGE, argv, ApiLoad::run);
    }

    private static void run(Args args) throws Exception {
        List<Target> targets = args.targets();
        double duration = args.getDouble("duration", 10);
        int rounds = Math.max(1, args.getInt("rounds", 2));
        double warmup = args.getDouble("warmup", 1);
        Samples samples = new Samples(Path.of(args.require("samples")));
        List<Integer> concs = new ArrayList<>();
        for (String c : args.get("conc", "1,16").split(",")) {
            concs.add(Integer.parseInt(c.strip()));
        }
        List<String> endpoints = List.of(args.get("endpoints", "list,inspect").split(","));
        Map<String, Map<String, Long>> procs = DaemonProcesses.of(args);

        Map<String, List<String>> ids = new LinkedHashMap<>();
        Map<String, String> failed = new LinkedHashMap<>();
        for (Target t : targets) {
            try (UnixHttp http = new UnixHttp(t.socket())) {
                List<String> l = new ArrayList<>();
                Object list = http.get(DockerApi.API + "/containers/json").expect(200).json();
                if (list instanceof List<?> cs) {
                    for (Object c : cs) {
                        if (Json.at(c, "Id") instanceof String id) {
                            l.add(id);
                        }
                    }
                }
                if (l.isEmpty()) {
                    throw new IllegalStateException("no running containers to inspect");
                }
                ids.put(t.name(), l);
            } catch (IOException | RuntimeException e) {
                failed.put(t.name(), Errors.reason(e));
            }
        }

        double slice = duration / rounds;
        for (String ep : endpoints) {
            for (int c : concs) {
                String metric = "api." + ep + ".c" + c;
                Map<String, String> figureFailed = new LinkedHashMap<>(failed);
                for (Target t : targets) {
                    if (!figureFailed.containsKey(t.name())) {
                        Progress.show(metric + " warm-up (" + t.name() + ")");
                        Run r = load(t, ep, c, warmup, ids.get(t.name()));
                        if (r.error != null) {
                            figureFailed.put(t.name(), r.error);
                        }
                    }
                }
                Map<String, List<Long>> latencies = new LinkedHashMap<>();
                for (int round = 0; round < rounds; round++) {
                    for (Target t : targets) {
                        if (figureFailed.containsKey(t.name())) {
                            continue;
                        }
                        Progress.show(metric + " round " + (round + 1) + "/" + rounds + " ("
                                + t.name() + ", " + c + " connection" + (c == 1 ? "" : "s") + ", "
                                + fmt(slice) + " s)");
                        Map<String, Double> cpu0 = DaemonProcesses.cpuSnapshot(procs.get(t.name()));
                        double client0 = Procfs.cpuMillis(ProcessHandle.current().pid());
                        long[] machine0 = machineTicks();
                        Run r = load(t, ep, c, slice, ids.get(t.name()));
                        long[] machine1 = machineTicks();
                        double client1 = Procfs.cpuMillis(ProcessHandle.current().pid());
                        Map<String, Double> cpu1 = DaemonProcesses.cpuSnapshot(procs.get(t.name()));
                        cpu0.put("client", client0);
                        cpu1.put("client", client1);
                        if (machine0 != null && machine1 != null && machine1[1] > machine0[1]) {
                            samples.add(metric + ".busy", t.name(),
                                    100.0 * (machine1[0] - machine0[0]) / (machine1[1] - machine0[1]));
                        }
                        if (r.error != null) {
                            figureFailed.put(t.name(), r.error);
                            continue;
                        }
                        if (r.total > 0) {
                            cpu0.forEach((role, v0) -> {
                                double v1 = cpu1.getOrDefault(role, -1.0);
                                if (v0 >= 0 && v1 >= 0) {
                                    samples.add(metric + ".cpu." + role, t.name(), (v1 - v0) * 1000.0 / r.total);
                                }
                            });
                        }
                        int full = (int) Math.floor(slice + 1e-9);
                        if (full == 0) {
                            samples.add(metric, t.name(), r.total / slice);
                        }
                        for (int s = 0; s < full; s++) {
                            samples.add(metric, t.name(), r.perSecond.get(s));
                        }
                        latencies.computeIfAbsent(t.name(), k -> new ArrayList<>()).addAll(r.latencyMicros);
                    }
                }
                figureFailed.forEach((name, why) -> samples.na(metric, name, why));
                latencies.forEach((name, l) -> {
                    if (!figureFailed.containsKey(name) && !l.isEmpty()) {
                        double[] a = l.stream().mapToDouble(Long::doubleValue).sorted().toArray();
                        samples.add(metric + ".p99", name, Percentile.of(a, 0.99) / 1000.0);
                    }
                });
            }
        }
    }

    /** {busy, total} jiffies of all CPUs from /proc/stat, or null. */
    private static long[] machineTicks() {
        try {
            String line = java.nio.file.Files.readAllLines(Path.of("/proc/stat")).get(0);
            String[] f = line.trim().split("\\s+");
            long total = 0;
            for (int i = 1; i < f.length && i <= 8; i++) {
                total += Long.parseLong(f[i]);
            }
            long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
            return new long[] {total - idle, total};
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static String fmt(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : String.format(java.util.Locale.ROOT, "%.1f", d);
    }

    /** Outcome of one load run. */
    private static final class Run {
        AtomicLongArray perSecond;
        long total;
        String error;
        List<Long> latencyMicros = new ArrayList<>();
    }

    private static Run load(Target t, String endpoint, int conc, double seconds, List<String> ids)
            throws InterruptedException {
        Run run = new Run();
        run.perSecond = new AtomicLongArray((int) Math.ceil(seconds) + 2);
        AtomicReference<String> error = new AtomicReference<>();
        long start = System.nanoTime() + 50_000_000L; // all connections open before the clock starts
        long end = start + (long) (seconds * 1e9);
        List<Thread> threads = new ArrayList<>();
        List<List<Long>> lat = new ArrayList<>();
        long[] totals = new long[conc];
        for (int w = 0; w < conc; w++) {
            final int worker = w;
            List<Long> myLat = new ArrayList<>();
            lat.add(myLat);
            Thread th = new Thread(() -> {
                try (UnixHttp http = new UnixHttp(t.socket())) {
                    int k = worker;
                    long now;
                    while ((now = System.nanoTime()) < start) {
                        Thread.sleep(1);
                    }
                    while (now < end && error.get() == null) {
                        String path = endpoint.equals("list") ? DockerApi.API + "/containers/json?all=1"
                                : DockerApi.API + "/containers/" + ids.get(k++ % ids.size()) + "/json";
                        long t0 = System.nanoTime();
                        Response r = http.request("GET", path, null, 30_000);
                        now = System.nanoTime();
                        if (r.status() != 200 || r.body().length == 0) {
                            r.expect(200);
                            throw new IllegalStateException("empty answer to GET " + path);
                        }
                        if (now < end) {
                            int sec = (int) ((now - start) / 1_000_000_000L);
                            run.perSecond.incrementAndGet(sec);
                            totals[worker]++;
                            if ((totals[worker] & 3) == 0 || conc == 1) {
                                myLat.add((now - t0) / 1000);
                            }
                        }
                    }
                } catch (IOException | RuntimeException e) {
                    error.compareAndSet(null, Errors.reason(e));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "load-" + w);
            threads.add(th);
            th.start();
        }
        for (Thread th : threads) {
            th.join();
        }
        for (long n : totals) {
            run.total += n;
        }
        for (List<Long> l : lat) {
            run.latencyMicros.addAll(l);
        }
        run.error = error.get();
        return run;
    }
}
