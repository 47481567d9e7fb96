package dev.holdfast.bench.measure;

import dev.holdfast.bench.api.DockerApi;
import dev.holdfast.bench.api.Response;
import dev.holdfast.bench.api.UnixHttp;
import dev.holdfast.bench.harness.Args;
import dev.holdfast.bench.harness.Errors;
import dev.holdfast.bench.harness.Procfs;
import dev.holdfast.bench.harness.Progress;
import dev.holdfast.bench.harness.Samples;
import dev.holdfast.bench.harness.Target;
import dev.holdfast.bench.harness.Usage;
import dev.holdfast.bench.json.Json;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Restart downtime with the fleet running, interleaved across daemons. For each repetition and daemon:
 * <ol>
 *   <li>note every running container's pid ({@code GET /containers/{id}/json});</li>
 *   <li>read the daemon's argv, environment and cwd from /proc, then {@code kill -9} it (t0);</li>
 *   <li>once it is gone (t1), start the very same argv again under setsid (the process start is in the figure);</li>
 *   <li>poll {@code GET /_ping} (t2: the API answers) and {@code GET /containers/json} until it lists every one of
 *       the containers as running (t3);</li>
 *   <li>check that each container kept its pid.</li>
 * </ol>
 * Records {@code restart.downtime} (t3 - t0), its parts {@code restart.kill} (t1 - t0), {@code restart.ready}
 * (t2 - t1: process start until the API answers) and {@code restart.restore} (t3 - t2), and
 * {@code restart.pids_kept}, and {@code restart.ready_cpu}: the CPU time the new daemon process had used when its API
 * first answered (CPU well above the wall time means a CPU-bound start: class loading, JIT, GC threads).
 * With {@code --jvm JAVA}, each repetition also times {@code JAVA -version} ({@code restart.jvm_floor}, daemon
 * "jvm"): what starting any JVM costs on this machine, the floor of a Java engine's restart.
 * <p>
 * Usage: {@link #USAGE}. {@code --pidfile-mode write}: the bench writes the new pid into the
 * pidfile (holdfast's wrapper does that, not the engine); {@code remove}: the daemon writes its own and refuses to
 * start while a stale one names a pid that still exists (dockerd).
 */
public final class Restart {
    static final String USAGE = "Restart --daemon NAME=SOCK... --pidfile NAME=FILE..."
            + " --pidfile-mode NAME=write|remove... --log NAME=FILE... --samples FILE [--reps 5] [--settle 1]"
            + " [--timeout 120] [--jvm JAVA]";

    public static void main(String[] argv) throws Exception {
        Usage.run(USAGE, argv, Restart::run);
    }

    private static void run(Args args) throws Exception {
        List<Target> targets = args.targets();
        Map<String, String> pidfiles = args.byName("pidfile");
        Map<String, String> modes = args.byName("pidfile-mode");
        Map<String, String> logs = args.byName("log");
        int reps = args.getInt("reps", 5);
        double settle = args.getDouble("settle", 1.0);
        long timeoutMs = args.getInt("timeout", 120) * 1000L;
        Samples samples = new Samples(Path.of(args.require("samples")));
        Set<String> failed = new HashSet<>();
        String jvm = args.get("jvm", null);

        for (int rep = 0; rep < reps; rep++) {
            for (Target t : targets) {
                if (failed.contains(t.name())) {
                    continue;
                }
                String phase = "restart downtime " + (rep + 1) + "/" + reps + " (" + t.name() + ")";
                Progress.show(phase);
                try {
                    once(t, Path.of(pidfiles.get(t.name())), modes.getOrDefault(t.name(), "remove"),
                            Path.of(logs.get(t.name())), timeoutMs, samples, phase);
                } catch (Exception e) {
                    failed.add(t.name());
                    String why = "repetition " + (rep + 1) + ": " + Errors.reason(e);
                    for (String m : List.of("downtime", "kill", "ready", "restore", "pids_kept")) {
                        samples.na("restart." + m, t.name(), why);
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
                    samples.add("restart.jvm_floor", "jvm", Samples.ms(System.nanoTime() - t0));
                }
            }
            if (rep + 1 < reps) {
                Thread.sleep((long) (settle * 1000));
            }
        }
    }

    private static void once(Target t, Path pidfile, String mode, Path log, long timeoutMs,
            Samples samples, String phase) throws Exception {
        long pid = Long.parseLong(Files.readString(pidfile).strip().split("\\s+")[0]);
        if (!Procfs.alive(pid)) {
            throw new IllegalStateException("pid " + pid + " from " + pidfile + " is not running");
        }
        // The fleet, and each container's pid, as the daemon reports them before the kill.
        Map<String, Long> before = new LinkedHashMap<>();
        try (UnixHttp http = new UnixHttp(t.socket())) {
            for (String id : DockerApi.runningIds(http)) {
                Object p = Json.at(http.get(DockerApi.API + "/containers/" + id + "/json")
                        .expect(200).json(), "State", "Pid");
                before.put(id, p instanceof Double d ? d.longValue() : -1L);
            }
        }
        if (before.isEmpty()) {
            throw new IllegalStateException("no running containers before the kill");
        }
        Restarted restarted = killAndStart(pid, pidfile, mode, log);
        long t0 = restarted.t0();
        long t1 = restarted.t1();
        Process p = restarted.process();

        long t2 = -1;
        long t3;
        double readyCpu = -1;
        Set<String> want = before.keySet();
        UnixHttp http = null;
        try {
            while (true) {
                long now = System.nanoTime();
                if (now - t1 > timeoutMs * 1_000_000L) {
                    throw new IllegalStateException((t2 < 0 ? "API not answering" : "not all " + want.size()
                            + " containers running") + " " + timeoutMs / 1000 + " s after the restart");
                }
                if (!p.isAlive()) {
                    throw new IllegalStateException("the restarted daemon exited with " + p.exitValue()
                            + " (see " + log + ")");
                }
                if (http == null) {
                    http = UnixHttp.tryOpen(t.socket());
                    if (http == null) {
                        Thread.sleep(2);
                        continue;
                    }
                }
                try {
                    if (t2 < 0) {
                        Response r = http.request("GET", DockerApi.API + "/_ping", null, 5000);
                        if (r.status() != 200) {
                            Thread.sleep(2);
                            continue;
                        }
                        t2 = System.nanoTime();
                        readyCpu = Procfs.cpuMillis(p.pid());
                    }
                    if (DockerApi.runningIds(http).containsAll(want)) {
                        t3 = System.nanoTime();
                        break;
                    }
                } catch (IOException | RuntimeException e) {
                    if (http != null) {
                        http.close();
                    }
                    http = null;
                }
                Thread.sleep(5);
            }
            int kept = 0;
            List<String> moved = new ArrayList<>();
            for (Map.Entry<String, Long> e : before.entrySet()) {
                Object pidAfter = Json.at(http.get(DockerApi.API + "/containers/" + e.getKey()
                        + "/json").expect(200).json(), "State", "Pid");
                if (pidAfter instanceof Double d && d.longValue() == e.getValue() && e.getValue() > 0) {
                    kept++;
                } else {
                    moved.add(e.getKey().substring(0, 12) + " " + e.getValue() + "->" + pidAfter);
                }
            }
            samples.add("restart.downtime", t.name(), Samples.ms(t3 - t0));
            samples.add("restart.kill", t.name(), Samples.ms(t1 - t0));
            samples.add("restart.ready", t.name(), Samples.ms(t2 - t1));
            samples.add("restart.restore", t.name(), Samples.ms(t3 - t2));
            samples.add("restart.pids_kept", t.name(), kept);
            if (readyCpu >= 0) {
                samples.add("restart.ready_cpu", t.name(), readyCpu);
            }
            samples.add("restart.containers", t.name(), before.size());
            if (!moved.isEmpty()) {
                System.err.println("\n" + phase + ": containers whose pid changed: " + moved);
            }
        } finally {
            if (http != null) {
                http.close();
            }
        }
    }

    /** A daemon killed with SIGKILL at {@code t0}, gone at {@code t1} and started again as {@code process}. */
    record Restarted(long t0, long t1, Process process) {}

    /**
     * Reads the daemon's argv, environment and cwd from /proc, kills it with SIGKILL, waits until it is gone and
     * starts the very same argv again under setsid, its output appended to {@code log}. {@code mode}: {@code write}
     * (the new pid is written into the pidfile) or {@code remove} (the stale pidfile is removed first, the daemon
     * writes its own). Also used by {@link ServedLoad}.
     */
    static Restarted killAndStart(long pid, Path pidfile, String mode, Path log) throws Exception {
        List<String> cmd = splitNul(Files.readAllBytes(Path.of("/proc/" + pid + "/cmdline")));
        Map<String, String> env = new LinkedHashMap<>();
        for (String kv : splitNul(Files.readAllBytes(Path.of("/proc/" + pid + "/environ")))) {
            int eq = kv.indexOf('=');
            if (eq > 0) {
                env.put(kv.substring(0, eq), kv.substring(eq + 1));
            }
        }
        Path cwd = Files.readSymbolicLink(Path.of("/proc/" + pid + "/cwd"));

        long t0 = System.nanoTime();
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly); // SIGKILL
        while (Procfs.alive(pid)) {
            if (System.nanoTime() - t0 > 10_000_000_000L) {
                throw new IllegalStateException("pid " + pid + " survived SIGKILL for 10 s");
            }
            java.util.concurrent.locks.LockSupport.parkNanos(200_000);
        }
        long t1 = System.nanoTime();
        if (mode.equals("remove")) {
            Files.deleteIfExists(pidfile);
        }
        List<String> argv = new ArrayList<>();
        argv.add("setsid");
        argv.addAll(cmd);
        ProcessBuilder pb = new ProcessBuilder(argv).directory(cwd.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectErrorStream(true);
        pb.environment().clear();
        pb.environment().putAll(env);
        Process p = pb.start();
        if (mode.equals("write")) {
            Files.writeString(pidfile, p.pid() + "\n");
        }
        return new Restarted(t0, t1, p);
    }

    private static List<String> splitNul(byte[] b) {
        List<String> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < b.length; i++) {
            if (b[i] == 0) {
                out.add(new String(b, start, i - start, StandardCharsets.UTF_8));
                start = i + 1;
            }
        }
        if (start < b.length) {
            out.add(new String(b, start, b.length - start, StandardCharsets.UTF_8));
        }
        return out;
    }
}
