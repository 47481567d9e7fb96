package dev.holdfast.bench.measure;

import dev.holdfast.bench.harness.Args;
import dev.holdfast.bench.harness.Errors;
import dev.holdfast.bench.harness.Progress;
import dev.holdfast.bench.harness.Samples;
import dev.holdfast.bench.harness.Target;
import dev.holdfast.bench.harness.Usage;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Requests served to a published port while the daemon is killed and comes back. For each repetition and daemon
 * (interleaved): a container of that daemon runs {@code busybox httpd} published on {@code 127.0.0.1:PORT}; a client
 * sends {@code GET PATH} at a fixed rate (default 25/s, each request on a new connection, a short timeout, several in
 * flight if some hang; {@link PortGet}) from {@code --before} seconds before a {@code kill -9} of the daemon until
 * {@code --after} seconds after the daemon ({@link DaemonControl}: dockerd started again with the same command line,
 * the holdfast engine by {@code scripts/holdfast engine kill} and {@code engine start}) answers {@code /_ping}.
 * <p>
 * Records per daemon, summed over the repetitions: {@code served.failed}, {@code served.unreachable} (of those, no
 * connection) and {@code served.ok} (counts), {@code served.restarts}; per repetition {@code served.ready} (kill -9
 * until /_ping answers, ms), {@code served.rate} (requests sent per second) and, when requests failed,
 * {@code served.fail_span} (first to last failed request, ms).
 * <p>
 * Usage: {@link #USAGE}.
 */
public final class ServedLoad {
    static final String USAGE = "ServedLoad --daemon NAME=SOCK... --port NAME=PORT... --pidfile NAME=FILE..."
            + " --log NAME=FILE... [--ctl NAME=SCRIPT --root NAME=DIR]... --samples FILE [--reps 1] [--rate 25]"
            + " [--timeout-ms 1000] [--before 1] [--after 2] [--path /passwd] [--expect root:]";

    public static void main(String[] argv) throws Exception {
        Usage.run(USAGE, argv, ServedLoad::run);
    }

    private static void run(Args args) throws Exception {
        List<Target> targets = args.targets();
        int reps = args.getInt("reps", 1);
        int rate = args.getInt("rate", 25);
        int timeoutMs = args.getInt("timeout-ms", 1000);
        double before = args.getDouble("before", 1.0);
        double after = args.getDouble("after", 2.0);
        String path = args.get("path", "/passwd");
        String expect = args.get("expect", "root:");
        Samples samples = new Samples(Path.of(args.require("samples")));
        Map<String, DaemonControl> controls = new LinkedHashMap<>();
        Map<String, Integer> ports = new LinkedHashMap<>();
        for (Target t : targets) {
            controls.put(t.name(), DaemonControl.of(args, t.name()));
            ports.put(t.name(), args.getIntFor("port", t.name()));
        }

        RequestTally tally = new RequestTally();
        Set<String> failed = new HashSet<>();
        for (int rep = 0; rep < reps; rep++) {
            for (Target t : targets) {
                if (failed.contains(t.name())) {
                    continue;
                }
                Progress.show("served through kill -9 + restart " + (rep + 1) + "/" + reps + " ("
                        + t.name() + ")");
                PortGet get = new PortGet(ports.get(t.name()), path, expect, timeoutMs);
                PacedRequests client = new PacedRequests(get, 2L * timeoutMs + 1000);
                try {
                    awaitServed(get);
                    DaemonControl control = controls.get(t.name());
                    client.start(rate);
                    Thread.sleep((long) (before * 1000));
                    DaemonControl.Killed killed = control.kill();
                    DaemonControl.Comeback comeback = control.startAgain();
                    long ready = Recovery.await(t, comeback, Set.of(), killed.t1(), 120_000).pinged();
                    comeback.finish();
                    Thread.sleep((long) (after * 1000));
                    client.stop();
                    RequestStats stats = RequestStats.of(client.attempts(), client.stoppedAt());
                    tally.add(t.name(), stats);
                    samples.add("served.ready", t.name(), Samples.ms(ready - killed.t0()));
                    samples.add("served.rate", t.name(), client.sent() / client.seconds());
                    if (stats.failed() > 0) {
                        samples.add("served.fail_span", t.name(), Samples.ms(stats.lastFailure()
                                - stats.firstFailure()));
                        System.err.println("\nserved (" + t.name() + "): " + stats.failed()
                                + " failed requests, first: " + stats.firstWhy());
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
        tally.write(samples, "served", failed);
    }

    /** Until the published port answers, before the measurement starts. */
    private static void awaitServed(PortGet get) throws InterruptedException {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (true) {
            PacedRequests.Answer a = get.send();
            if (a.outcome() == PacedRequests.Outcome.OK) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("127.0.0.1:" + get.port + get.path
                        + " did not answer before the kill (20 s): " + a.why());
            }
            Thread.sleep(100);
        }
    }
}
