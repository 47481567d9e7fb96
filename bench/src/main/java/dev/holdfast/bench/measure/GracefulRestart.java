package dev.holdfast.bench.measure;

import dev.holdfast.bench.api.DockerApi;
import dev.holdfast.bench.api.UnixHttp;
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
 * A graceful restart with the fleet running, as clients see it, interleaved across daemons. For each repetition and
 * daemon: a paced client sends {@code GET /containers/json} ({@link ListContainers}, {@code --rate} per second, a
 * new connection each, as {@code docker ps} would) from {@code --before} seconds before the restart until
 * {@code --after} seconds after the restarted daemon lists every container running again. The restart
 * ({@link DaemonControl#restart}): the holdfast engine by {@code scripts/holdfast engine restart}, dockerd as
 * {@code systemctl restart docker} would do it (SIGTERM, then its command line again; --live-restore keeps the
 * containers running).
 * <p>
 * Records per repetition {@code graceful.wait_max}: the longest any request waited for its answer (a request that
 * failed waited until one sent after it was answered: a client retrying at the same pace), and
 * {@code graceful.took}: from the start of the restart until the new daemon lists every container running; summed
 * over the repetitions, {@code graceful.failed}, {@code graceful.unreachable} (of those, no connection: refused, or
 * no socket) and {@code graceful.ok}.
 * <p>
 * Usage: {@link #USAGE}.
 */
public final class GracefulRestart {
    static final String USAGE = "GracefulRestart --daemon NAME=SOCK... --pidfile NAME=FILE... --log NAME=FILE..."
            + " [--ctl NAME=SCRIPT --root NAME=DIR]... --samples FILE [--reps 3] [--rate 50] [--before 1]"
            + " [--after 1] [--settle 1] [--timeout 120]";

    public static void main(String[] argv) throws Exception {
        Usage.run(USAGE, argv, GracefulRestart::run);
    }

    private static void run(Args args) throws Exception {
        List<Target> targets = args.targets();
        Map<String, DaemonControl> controls = new LinkedHashMap<>();
        for (Target t : targets) {
            controls.put(t.name(), DaemonControl.of(args, t.name()));
        }
        int reps = args.getInt("reps", 3);
        int rate = args.getInt("rate", 50);
        double before = args.getDouble("before", 1.0);
        double after = args.getDouble("after", 1.0);
        double settle = args.getDouble("settle", 1.0);
        long timeoutMs = args.getInt("timeout", 120) * 1000L;
        Samples samples = new Samples(Path.of(args.require("samples")));
        Set<String> failed = new HashSet<>();
        RequestTally tally = new RequestTally();

        for (int rep = 0; rep < reps; rep++) {
            for (Target t : targets) {
                if (failed.contains(t.name())) {
                    continue;
                }
                Progress.show("graceful restart " + (rep + 1) + "/" + reps + " (" + t.name() + ")");
                PacedRequests client = new PacedRequests(new ListContainers(t.socket(), timeoutMs), timeoutMs);
                try {
                    Set<String> running;
                    try (UnixHttp http = new UnixHttp(t.socket())) {
                        running = DockerApi.runningIds(http);
                    }
                    if (running.isEmpty()) {
                        throw new IllegalStateException("no running containers before the restart");
                    }
                    client.start(rate);
                    Thread.sleep((long) (before * 1000));
                    long t0 = System.nanoTime();
                    DaemonControl.Comeback comeback = controls.get(t.name()).restart();
                    long listed = Recovery.await(t, comeback, running, t0, timeoutMs).listed();
                    comeback.finish();
                    Thread.sleep((long) (after * 1000));
                    client.stop();
                    RequestStats stats = RequestStats.of(client.attempts(), client.stoppedAt());
                    tally.add(t.name(), stats);
                    samples.add("graceful.wait_max", t.name(), Samples.ms(stats.longestWaitNanos()));
                    samples.add("graceful.took", t.name(), Samples.ms(listed - t0));
                    if (stats.failed() > 0) {
                        System.err.println("\ngraceful restart (" + t.name() + "): " + stats.failed()
                                + " failed requests, first: " + stats.firstWhy());
                    }
                } catch (Exception e) {
                    client.stop();
                    failed.add(t.name());
                    String why = "repetition " + (rep + 1) + ": " + Errors.reason(e);
                    for (String m : List.of("wait_max", "failed", "took")) {
                        samples.na("graceful." + m, t.name(), why);
                    }
                }
            }
            if (rep + 1 < reps) {
                Thread.sleep((long) (settle * 1000));
            }
        }
        tally.write(samples, "graceful", failed);
    }
}
