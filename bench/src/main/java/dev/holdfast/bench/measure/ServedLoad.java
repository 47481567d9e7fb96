package dev.holdfast.bench.measure;

import dev.holdfast.bench.api.DockerApi;
import dev.holdfast.bench.api.UnixHttp;
import dev.holdfast.bench.harness.Args;
import dev.holdfast.bench.harness.Errors;
import dev.holdfast.bench.harness.Procfs;
import dev.holdfast.bench.harness.Progress;
import dev.holdfast.bench.harness.Samples;
import dev.holdfast.bench.harness.Target;
import dev.holdfast.bench.harness.Usage;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Requests served to a published port while the daemon is killed and started again. For each repetition and daemon
 * (interleaved): a container of that daemon runs {@code busybox httpd} published on {@code 127.0.0.1:PORT}; a client
 * sends {@code GET PATH} at a fixed rate (default 25/s, each request on a new connection, a short timeout, several in
 * flight if some hang) from {@code --before} seconds before a {@code kill -9} of the daemon until {@code --after}
 * seconds after the restarted daemon (the same command line, {@link Restart#killAndStart}) answers {@code /_ping}.
 * A request succeeds when it gets {@code HTTP 200} with the file's content within the timeout.
 * <p>
 * Records per daemon, summed over the repetitions: {@code served.failed} and {@code served.ok} (counts),
 * {@code served.restarts}; per repetition {@code served.ready} (kill -9 until /_ping answers, ms),
 * {@code served.rate} (requests sent per second) and, when requests failed, {@code served.fail_span} (first to last
 * failed request, ms).
 * <p>
 * Usage: {@link #USAGE}.
 */
public final class ServedLoad {
    static final String USAGE = "ServedLoad --daemon NAME=SOCK... --port NAME=PORT... --pidfile NAME=FILE..."
            + " --pidfile-mode NAME=write|remove... --log NAME=FILE... --samples FILE [--reps 1] [--rate 25]"
            + " [--timeout-ms 1000] [--before 1] [--after 2] [--path /passwd] [--expect root:]";

    public static void main(String[] argv) throws Exception {
        Usage.run(USAGE, argv, ServedLoad::run);
    }

    private static void run(Args args) throws Exception {
        List<Target> targets = args.targets();
        Map<String, String> ports = args.byName("port");
        Map<String, String> pidfiles = args.byName("pidfile");
        Map<String, String> modes = args.byName("pidfile-mode");
        Map<String, String> logs = args.byName("log");
        int reps = args.getInt("reps", 1);
        int rate = args.getInt("rate", 25);
        int timeoutMs = args.getInt("timeout-ms", 1000);
        double before = args.getDouble("before", 1.0);
        double after = args.getDouble("after", 2.0);
        String path = args.get("path", "/passwd");
        String expect = args.get("expect", "root:");
        Samples samples = new Samples(Path.of(args.require("samples")));

        Map<String, long[]> totals = new LinkedHashMap<>(); // name -> {ok, failed, restarts}
        Set<String> failed = new HashSet<>();
        for (int rep = 0; rep < reps; rep++) {
            for (Target t : targets) {
                if (failed.contains(t.name())) {
                    continue;
                }
                Progress.show("served through kill -9 + restart " + (rep + 1) + "/" + reps + " ("
                        + t.name() + ")");
                Client client = new Client(Integer.parseInt(ports.get(t.name())), path, expect, timeoutMs);
                try {
                    // the published port answers before the measurement starts
                    long deadline = System.nanoTime() + 20_000_000_000L;
                    String last = "";
                    while (true) {
                        last = client.once();
                        if (last == null) {
                            break;
                        }
                        if (System.nanoTime() > deadline) {
                            throw new IllegalStateException("127.0.0.1:" + client.port + path
                                    + " did not answer before the kill (20 s): " + last);
                        }
                        Thread.sleep(100);
                    }
                    Path pidfile = Path.of(pidfiles.get(t.name()));
                    long pid = Long.parseLong(Files.readString(pidfile).strip().split("\\s+")[0]);
                    if (!Procfs.alive(pid)) {
                        throw new IllegalStateException("pid " + pid + " from " + pidfile + " is not running");
                    }
                    client.start(rate);
                    Thread.sleep((long) (before * 1000));
                    Restart.Restarted r = Restart.killAndStart(pid, pidfile, modes.getOrDefault(t.name(), "remove"),
                            Path.of(logs.get(t.name())));
                    long ready = awaitPing(t, r.process(), r.t1(), 120_000);
                    Thread.sleep((long) (after * 1000));
                    client.stop();
                    long[] sum = totals.computeIfAbsent(t.name(), k -> new long[3]);
                    sum[0] += client.ok.get();
                    sum[1] += client.failed.get();
                    sum[2]++;
                    samples.add("served.ready", t.name(), Samples.ms(ready - r.t0()));
                    samples.add("served.rate", t.name(), client.sent.get() / client.seconds());
                    if (client.failed.get() > 0) {
                        samples.add("served.fail_span", t.name(),
                                Samples.ms(client.lastFail.get() - client.firstFail.get()));
                        System.err.println("\nserved (" + t.name() + "): " + client.failed.get()
                                + " failed requests, first: " + client.firstWhy);
                    }
                } catch (Exception e) {
                    client.stop();
                    failed.add(t.name());
                    String why = "repetition " + (rep + 1) + ": " + Errors.reason(e);
                    for (String m : List.of("failed", "ok")) {
                        samples.na("served." + m, t.name(), why);
                    }
                }
            }
        }
        for (Map.Entry<String, long[]> e : totals.entrySet()) {
            if (failed.contains(e.getKey())) {
                continue; // a repetition failed: the sums would be partial
            }
            samples.add("served.ok", e.getKey(), e.getValue()[0]);
            samples.add("served.failed", e.getKey(), e.getValue()[1]);
            samples.add("served.restarts", e.getKey(), e.getValue()[2]);
        }
    }

    /** Polls GET /_ping until it answers 200; returns that moment (System.nanoTime()). */
    private static long awaitPing(Target t, Process p, long since, long timeoutMs) throws Exception {
        while (true) {
            if (System.nanoTime() - since > timeoutMs * 1_000_000L) {
                throw new IllegalStateException("API not answering " + timeoutMs / 1000 + " s after the restart");
            }
            if (!p.isAlive()) {
                throw new IllegalStateException("the restarted daemon exited with " + p.exitValue());
            }
            UnixHttp http = UnixHttp.tryOpen(t.socket());
            if (http != null) {
                try (http) {
                    if (http.request("GET", DockerApi.API + "/_ping", null, 2000).status() == 200) {
                        return System.nanoTime();
                    }
                } catch (Exception e) {
                    // not yet
                }
            }
            Thread.sleep(5);
        }
    }

    /** The HTTP client: one request per tick, each on its own connection and virtual thread. */
    static final class Client {
        final int port;
        final String path;
        final String expect;
        final int timeoutMs;
        final AtomicLong ok = new AtomicLong();
        final AtomicLong failed = new AtomicLong();
        final AtomicLong sent = new AtomicLong();
        final AtomicLong firstFail = new AtomicLong(-1);
        final AtomicLong lastFail = new AtomicLong(-1);
        volatile String firstWhy;
        private ScheduledExecutorService ticker;
        private ExecutorService workers;
        private long started;
        private long stopped;

        Client(int port, String path, String expect, int timeoutMs) {
            this.port = port;
            this.path = path;
            this.expect = expect;
            this.timeoutMs = timeoutMs;
        }

        void start(int rate) {
            ticker = Executors.newSingleThreadScheduledExecutor();
            workers = Executors.newVirtualThreadPerTaskExecutor();
            started = System.nanoTime();
            ticker.scheduleAtFixedRate(() -> {
                sent.incrementAndGet();
                workers.submit(this::count);
            }, 0, 1_000_000L / rate, TimeUnit.MICROSECONDS);
        }

        void stop() {
            if (ticker == null) {
                return;
            }
            ticker.shutdownNow();
            stopped = System.nanoTime();
            workers.shutdown();
            try {
                workers.awaitTermination(2L * timeoutMs + 1000, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            ticker = null;
        }

        double seconds() {
            return Math.max(1e-9, (stopped - started) / 1e9);
        }

        private void count() {
            String why = once();
            if (why == null) {
                ok.incrementAndGet();
                return;
            }
            long now = System.nanoTime();
            failed.incrementAndGet();
            if (firstFail.compareAndSet(-1, now)) {
                firstWhy = why;
            }
            lastFail.accumulateAndGet(now, Math::max);
        }

        /** One GET; null when it succeeded, else why not. */
        String once() {
            long t0 = System.nanoTime();
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), timeoutMs);
                s.setSoTimeout(timeoutMs);
                OutputStream out = s.getOutputStream();
                out.write(("GET " + path + " HTTP/1.0\r\nHost: 127.0.0.1:" + port + "\r\nConnection: close\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                out.flush();
                InputStream in = s.getInputStream();
                ByteArrayOutputStream buf = new ByteArrayOutputStream();
                byte[] b = new byte[4096];
                int n;
                while ((n = in.read(b)) >= 0) {
                    buf.write(b, 0, n);
                    if (System.nanoTime() - t0 > timeoutMs * 1_000_000L) {
                        return "no complete answer within " + timeoutMs + " ms";
                    }
                }
                String text = buf.toString(StandardCharsets.ISO_8859_1);
                int eol = text.indexOf("\r\n");
                String status = eol < 0 ? text : text.substring(0, eol);
                if (!status.matches("HTTP/1\\.[01] 200.*")) {
                    return "answered " + (status.isEmpty() ? "nothing" : Errors.oneLine(status));
                }
                if (!text.contains(expect)) {
                    return "200 without the file's content";
                }
                return null;
            } catch (Exception e) {
                return Errors.reason(e);
            }
        }
    }
}
