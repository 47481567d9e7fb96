package dev.holdfast.bench.measure;

import dev.holdfast.bench.api.DockerApi;
import dev.holdfast.bench.api.UnixHttp;
import dev.holdfast.bench.harness.Args;
import dev.holdfast.bench.harness.Errors;
import dev.holdfast.bench.harness.Progress;
import dev.holdfast.bench.harness.Samples;
import dev.holdfast.bench.harness.Target;
import dev.holdfast.bench.harness.Usage;
import dev.holdfast.bench.json.Json;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Restart downtime after a {@code kill -9}, with the fleet running, interleaved across daemons. For each repetition
 * and daemon:
 * <ol>
 *   <li>note every running container's pid ({@code GET /containers/{id}/json});</li>
 *   <li>a paced client starts sending {@code GET /containers/json} ({@link ListContainers}, {@code --rate} per
 *       second, a new connection each, as {@code docker ps} would) {@code --before} seconds ahead;</li>
 *   <li>{@code kill -9} of the daemon (t0) and, once it is gone (t1), the daemon comes back
 *       ({@link DaemonControl}: dockerd's very same command line started again by the bench; the holdfast engine
 *       by {@code scripts/holdfast engine kill} and {@code engine start}, as an operator would: where a socket holder
 *       starts the next engine by itself, {@code engine start} only waits for it). The process start is in the
 *       figure;</li>
 *   <li>poll {@code GET /_ping} (t2: the API answers) and {@code GET /containers/json} until it lists every one of
 *       the containers as running (t3); the paced client stops;</li>
 *   <li>check that each container kept its pid.</li>
 * </ol>
 * Records {@code restart.downtime} (t3 - t0), its parts {@code restart.kill} (t1 - t0), {@code restart.ready}
 * (t2 - t1: process start until the API answers) and {@code restart.restore} (t3 - t2), and
 * {@code restart.pids_kept}, and {@code restart.ready_cpu}: the CPU time the new daemon process had used when its API
 * first answered (CPU well above the wall time means a CPU-bound start: class loading, JIT, GC threads). The paced
 * client's requests, summed over the repetitions: {@code restart.failed}, {@code restart.unreachable} (of those, no
 * connection: refused, or no socket) and {@code restart.ok}.
 * With {@code --jvm JAVA}, each repetition also times {@code JAVA -version} ({@code restart.jvm_floor}, daemon
 * "jvm"): what starting any JVM costs on this machine, the floor of a Java engine's restart.
 * With {@code --section NAME} the metrics are named {@code NAME.downtime} and so on instead ({@code standby}: the
 * same measurement with holdfast's {@code [engine] standby} engine waiting to take over).
 * <p>
 * Usage: {@link #USAGE}.
 */
public final class Restart {
    static final String USAGE = "Restart --daemon NAME=SOCK... --pidfile NAME=FILE... --log NAME=FILE..."
            + " [--ctl NAME=SCRIPT --root NAME=DIR]... --samples FILE [--reps 5] [--settle 1] [--rate 50]"
            + " [--before 1] [--timeout 120] [--jvm JAVA] [--section restart]";

    public static void main(String[] argv) throws Exception {
        Usage.run(USAGE, argv, Restart::run);
    }

    private static void run(Args args) throws Exception {
        List<Target> targets = args.targets();
        Map<String, DaemonControl> controls = new LinkedHashMap<>();
        for (Target t : targets) {
            controls.put(t.name(), DaemonControl.of(args, t.name()));
        }
        int reps = args.getInt("reps", 5);
        double settle = args.getDouble("settle", 1.0);
        int rate = args.getInt("rate", 50);
        double before = args.getDouble("before", 1.0);
        long timeoutMs = args.getInt("timeout", 120) * 1000L;
        Samples samples = new Samples(Path.of(args.require("samples")));
        Set<String> failed = new HashSet<>();
        RequestTally tally = new RequestTally();
        String jvm = args.get("jvm", null);
        String section = args.get("section", "restart");

        for (int rep = 0; rep < reps; rep++) {
            for (Target t : targets) {
                if (failed.contains(t.name())) {
                    continue;
                }
                String phase = "restart downtime " + (rep + 1) + "/" + reps + " (" + t.name() + ")";
                Progress.show(phase);
                PacedRequests client = new PacedRequests(new ListContainers(t.socket(), timeoutMs), timeoutMs);
                try {
                    once(t, controls.get(t.name()), client, rate, before, timeoutMs, samples, phase, section);
                    tally.add(t.name(), RequestStats.of(client.attempts(), client.stoppedAt()));
                } catch (Exception e) {
                    client.stop();
                    failed.add(t.name());
                    String why = "repetition " + (rep + 1) + ": " + Errors.reason(e);
                    for (String m : List.of("downtime", "kill", "ready", "restore", "pids_kept", "failed")) {
                        samples.na(section + "." + m, t.name(), why);
                    }
                }
            }
            if (jvm != null) {
                Progress.show("restart downtime " + (rep + 1) + "/" + reps + ": bare JVM start");
                ProcessBuilder pb = new ProcessBuilder(jvm, "-version").redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD);
                long t0 = System.nanoTime();
                int code = pb.start().waitFor();
                if (code == 0) {
                    samples.add(section + ".jvm_floor", "jvm", Samples.ms(System.nanoTime() - t0));
                }
            }
            if (rep + 1 < reps) {
                Thread.sleep((long) (settle * 1000));
            }
        }
        tally.write(samples, section, failed);
    }

    private static void once(Target t, DaemonControl control, PacedRequests client, int rate, double before,
            long timeoutMs, Samples samples, String phase, String section) throws Exception {
        // The fleet, and each container's pid, as the daemon reports them before the kill.
        Map<String, Long> pids = containerPids(t);
        if (pids.isEmpty()) {
            throw new IllegalStateException("no running containers before the kill");
        }
        client.start(rate);
        Thread.sleep((long) (before * 1000));
        DaemonControl.Killed killed = control.kill();
        DaemonControl.Comeback comeback = control.startAgain();
        Recovery.Recovered back = Recovery.await(t, comeback, pids.keySet(), killed.t1(), timeoutMs);
        client.stop();
        comeback.finish();
        long t0 = killed.t0();
        long t1 = killed.t1();
        long t2 = back.pinged();
        long t3 = back.listed();

        int kept = 0;
        List<String> moved = new ArrayList<>();
        Map<String, Long> after = containerPids(t);
        for (Map.Entry<String, Long> e : pids.entrySet()) {
            Long pidAfter = after.get(e.getKey());
            if (pidAfter != null && pidAfter.longValue() == e.getValue() && e.getValue() > 0) {
                kept++;
            } else {
                moved.add(e.getKey().substring(0, 12) + " " + e.getValue() + "->" + pidAfter);
            }
        }
        samples.add(section + ".downtime", t.name(), Samples.ms(t3 - t0));
        samples.add(section + ".kill", t.name(), Samples.ms(t1 - t0));
        samples.add(section + ".ready", t.name(), Samples.ms(t2 - t1));
        samples.add(section + ".restore", t.name(), Samples.ms(t3 - t2));
        samples.add(section + ".pids_kept", t.name(), kept);
        if (back.cpuAtPing() >= 0) {
            samples.add(section + ".ready_cpu", t.name(), back.cpuAtPing());
        }
        samples.add(section + ".containers", t.name(), pids.size());
        if (!moved.isEmpty()) {
            System.err.println("\n" + phase + ": containers whose pid changed: " + moved);
        }
    }

    /** Each running container's pid, as the daemon reports it ({@code State.Pid}; -1 when it reports none). */
    private static Map<String, Long> containerPids(Target t) throws IOException {
        Map<String, Long> pids = new LinkedHashMap<>();
        try (UnixHttp http = new UnixHttp(t.socket())) {
            for (String id : DockerApi.runningIds(http)) {
                Object p = Json.at(http.get(DockerApi.API + "/containers/" + id + "/json").expect(200).json(),
                        "State", "Pid");
                pids.put(id, p instanceof Double d ? d.longValue() : -1L);
            }
        }
        return pids;
    }
}
