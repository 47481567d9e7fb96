package dev.holdfast.bench.report;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** What the table shows: its sections, their rows, labels, units and targets. */
final class Sections {
    private Sections() {}

    /** A memory row: the samples are KiB, the row shows MiB. */
    /** A client's requests through a restart: the failed ones (target none), those that could not connect, the rest. */
    private static List<Row> requests(String section, String failedLabel) {
        return List.of(
                Row.of(section + ".failed", failedLabel, "req").target(Target.abs("<=", 0)).kind(Row.Kind.COUNT),
                Row.of(section + ".unreachable", "  ... of which could not connect", "req").kind(Row.Kind.COUNT),
                Row.of(section + ".ok", "  ... succeeded", "req").kind(Row.Kind.COUNT));
    }

    @SafeVarargs
    private static List<Row> concat(List<Row>... parts) {
        return Arrays.stream(parts).flatMap(List::stream).toList();
    }

    private static Row mib(String metric, String label) {
        return Row.of(metric, label, "MiB").scale(1.0 / 1024);
    }

    static List<Section> of(SampleTable t) {
        String n = t.info("containers", "N");
        String mb = t.info("log_mb", "200");
        List<Section> s = new ArrayList<>();
        s.add(new Section("Run latency (busybox true; " + t.info("run_reps", "?") + " runs each, after 2 warm-up runs)",
                List.of(
                        Row.of("run.cli", "docker run --rm busybox true (CLI)", "ms").target(Target.ratio("<=", 0.7)),
                        Row.of("run.api.total", "  API: create+start+wait+remove", "ms"),
                        Row.of("run.api.create", "    create", "ms"),
                        Row.of("run.api.start", "    start", "ms"),
                        Row.of("run.api.wait", "    wait (sent after start answered)", "ms"),
                        Row.of("run.api.remove", "    remove", "ms"),
                        Row.of("run.cpu.daemon", "  CPU per container: engine | dockerd", "ms"),
                        Row.of("run.cpu.helper", "  CPU per container: supervisor | containerd", "ms"),
                        Row.of("run.floor", "runc run of the same rootfs, no daemon (floor)", "ms"))));
        String client = "GET /containers/json at " + t.info("api_client_rate", "?") + "/s, a new connection each";
        s.add(new Section("Graceful restart (" + n + " running containers; scripts/holdfast engine restart | dockerd"
                + " SIGTERM and started again; " + client + ", from 1 s before until 1 s after all are listed again; "
                + t.info("graceful_reps", "?") + " restarts each, counts summed)", List.of(
                        Row.of("graceful.wait_max", "longest wait for an answer (retrying on failure)", "ms")
                                .target(Target.abs("<=", 100)),
                        Row.of("graceful.failed", "requests through the restart: failed", "req")
                                .target(Target.abs("<=", 0)).kind(Row.Kind.COUNT),
                        Row.of("graceful.unreachable", "  ... of which could not connect", "req")
                                .kind(Row.Kind.COUNT),
                        Row.of("graceful.ok", "  ... succeeded", "req").kind(Row.Kind.COUNT),
                        Row.of("graceful.took", "restart begun -> all containers listed running", "ms"))));
        s.add(new Section("Restart downtime (" + n + " running containers, kill -9 of engine | dockerd; " + client
                + ", from 1 s before until all are listed again; " + t.info("restart_reps", "?") + " restarts each"
                + t.info("restart_warmup", "").transform(w -> w.isEmpty() ? "" : ", " + w) + ")", concat(List.of(
                        Row.of("restart.downtime", "kill -9 -> GET /containers/json lists all running", "ms")
                                .target(Target.abs("<", 1000).and(Target.ratio("<=", 0.5))),
                        Row.of("restart.kill", "  kill -9 -> process gone", "ms"),
                        Row.of("restart.ready", "  process start -> API answers /_ping", "ms"),
                        Row.of("restart.ready_cpu", "  CPU used by the new process until /_ping", "ms"),
                        Row.of("restart.jvm_floor", "  bare JVM start: java -version (floor)", "ms"),
                        Row.of("restart.restore", "  /_ping -> all containers listed running", "ms"),
                        Row.of("restart.pids_kept", "containers that kept their pid", "").kind(Row.Kind.PIDS)),
                requests("restart", "requests through kill -9 + restart: failed"))));
        s.add(new Section("Restart downtime with [engine] standby = true (as above; holdfast keeps a second engine"
                + " booted, its records read ahead, which takes the socket over when the serving one dies; "
                + t.info("restart_reps", "?") + " restarts each)", concat(List.of(
                        Row.of("standby.downtime", "kill -9 -> GET /containers/json lists all running", "ms")
                                .target(Target.abs("<", 1000).and(Target.ratio("<=", 0.5))),
                        Row.of("standby.ready", "  process start -> API answers /_ping", "ms"),
                        Row.of("standby.restore", "  /_ping -> all containers listed running", "ms"),
                        Row.of("standby.pids_kept", "containers that kept their pid", "").kind(Row.Kind.PIDS)),
                requests("standby", "requests through kill -9 + takeover: failed"),
                List.of(mib("mem.standby.daemons.rss", "daemons RSS idle, the standby engine counted in"),
                        mib("mem.standby.daemon.rss", "  engine | dockerd RSS")))));
        s.add(new Section("Served through a restart (GET 127.0.0.1:PORT/passwd, -p 127.0.0.1:PORT:80 to"
                + " busybox httpd, " + t.info("served_rate", "?") + " req/s from 1 s before the kill -9 of engine |"
                + " dockerd until 2 s after /_ping answers; " + t.info("served_reps", "?")
                + " restarts each, counts summed)", List.of(
                        Row.of("served.failed", "requests served through kill -9 + restart: failed", "req")
                                .target(Target.abs("<=", 0)).kind(Row.Kind.COUNT),
                        Row.of("served.unreachable", "  ... of which could not connect", "req")
                                .kind(Row.Kind.COUNT),
                        Row.of("served.ok", "  ... succeeded", "req").kind(Row.Kind.COUNT),
                        Row.of("served.fail_span", "  first to last failed request", "ms"),
                        Row.of("served.ready", "  kill -9 -> API answers /_ping", "ms"),
                        Row.of("served.rate", "  requests sent per second", "req/s"))));
        s.add(new Section("docker cp (a 200 MB directory of 20 files into and out of a running busybox; "
                + t.info("copy_reps", "?") + " copies each way)", List.of(
                        Row.of("copy.in", "docker cp DIR CONTAINER:/tmp/ (into the container)", "MB/s")
                                .target(Target.ratio(">=", 1)),
                        Row.of("copy.out", "docker cp CONTAINER:/tmp/DIR DIR (out of it)", "MB/s")
                                .target(Target.ratio(">=", 1)))));
        s.add(new Section("Images (a 5-layer image, busybox's layer and 4 of 1 MB, from docker-registry on 127.0.0.1; "
                + t.info("images_reps", "?") + " pulls and runs each)", List.of(
                        Row.of("images.pull", "docker pull (busybox's layer present; rmi before each)", "ms")
                                .target(Target.ratio("<=", 1)),
                        Row.of("images.run5", "docker run --rm IMAGE true of the 5-layer image", "ms")
                                .target(Target.ratio("<=", 0.7)))));
        s.add(new Section("Memory (idle, " + n + " running containers, right after starting them)", List.of(
                Row.of("mem.shim.uss", "shim USS, median over the containers", "KiB").target(Target.abs("<=", 1024)),
                Row.of("mem.shim.rss", "shim RSS, median over the containers", "KiB"),
                Row.of("mem.shim_tty.uss", "shim USS: run -dit busybox sh, client attached", "KiB")
                        .target(Target.abs("<=", 1024)),
                Row.of("mem.shim_tty.rss", "shim RSS: run -dit busybox sh, client attached", "KiB"),
                // RSS against dockerd + containerd's, its parts under it (where the memory goes when it is missed)
                mib("mem.daemons.rss", "daemons RSS: engine+supervisor | dockerd+containerd")
                        .target(Target.ratio("<=", 1)),
                mib("mem.daemon.rss", "  engine | dockerd RSS"),
                mib("mem.helper.rss", "  supervisor | containerd RSS"),
                mib("mem.daemon.heap_committed", "  engine JVM heap committed"),
                mib("mem.daemon.heap_used", "  engine JVM heap used"),
                mib("mem.helper.heap_committed", "  supervisor JVM heap committed"),
                mib("mem.daemons.uss", "daemons USS: engine+supervisor | dockerd+containerd"),
                mib("mem.daemon.uss", "  engine | dockerd USS"),
                mib("mem.helper.uss", "  supervisor | containerd USS"),
                Row.of("mem.daemon.threads", "  threads: engine | dockerd", ""),
                Row.of("mem.helper.threads", "  threads: supervisor | containerd", ""))));
        s.add(new Section("Memory after the run, logs and API measurements (" + n + " running containers)", List.of(
                // what the load left behind: against holdfast's own idle figure
                mib("mem.after.daemons.rss", "daemons RSS: engine+supervisor | dockerd+containerd")
                        .target(Target.own("mem.daemons.rss", "idle", "<=", 1.25)),
                mib("mem.after.daemon.rss", "  engine | dockerd RSS"),
                mib("mem.after.helper.rss", "  supervisor | containerd RSS"),
                mib("mem.after.daemon.heap_committed", "  engine JVM heap committed"),
                mib("mem.after.daemon.heap_used", "  engine JVM heap used"),
                mib("mem.after.daemons.uss", "daemons USS: engine+supervisor | dockerd+containerd"),
                Row.of("mem.after.daemon.threads", "  threads: engine | dockerd", ""))));
        List<Row> api = new ArrayList<>();
        for (String ep : List.of("list", "inspect")) {
            String path = ep.equals("list") ? "GET /containers/json?all=1" : "GET /containers/{id}/json";
            for (String c : List.of("1", "16")) {
                api.add(Row.of("api." + ep + ".c" + c, path + ", " + c + " conn" + (c.equals("1") ? "" : "s"),
                        "req/s").target(Target.ratio(">=", 2)));
                api.add(Row.of("api." + ep + ".c" + c + ".p99", "  p99 latency", "ms"));
                api.add(Row.of("api." + ep + ".c" + c + ".cpu.daemon", "  CPU per 1000 requests: engine | dockerd",
                        "ms"));
                api.add(Row.of("api." + ep + ".c" + c + ".cpu.client", "  CPU per 1000 requests: the load client",
                        "ms"));
                api.add(Row.of("api." + ep + ".c" + c + ".busy", "  machine CPU busy during the load", "%"));
            }
        }
        s.add(new Section("API throughput (" + n + " containers; " + t.info("api_duration", "?")
                + " s per figure and daemon, one sample per second)", api));
        List<Row> logs = new ArrayList<>();
        for (String k : List.of("short", "16k")) {
            String what = k.equals("short") ? "100-byte lines" : "16 KiB lines";
            String m = "logs." + k;
            logs.add(Row.of(m + ".total", what + ": start -> docker logs returned all", "MB/s")
                    .target(Target.ratio(">=", 1)));
            logs.add(Row.of(m + ".write", "  write: start -> container exited", "MB/s"));
            logs.add(Row.of(m + ".read", "  read: docker logs", "MB/s"));
            logs.add(Row.of(m + ".verified", "  byte count and order verified", "").kind(Row.Kind.VERIFIED));
            logs.add(Row.of(m + ".file", "  json log file size / bytes written", "x"));
            logs.add(Row.of(m + ".cpu.write.daemon", "  CPU s/100 MB writing: engine | dockerd", "s"));
            logs.add(Row.of(m + ".cpu.write.helper", "  CPU s/100 MB writing: supervisor | containerd", "s"));
            logs.add(Row.of(m + ".cpu.write.shim", "  CPU s/100 MB writing: shim", "s"));
            logs.add(Row.of(m + ".cpu.read.daemon", "  CPU s/100 MB in docker logs: engine | dockerd", "s"));
        }
        s.add(new Section("Log throughput (" + mb + " MB to stdout; " + t.info("log_reps", "?") + " runs each)", logs));
        s.add(new Section("Creating the " + n + " containers (API create+start, sequential)", List.of(
                Row.of("fleet.start", "create+start all " + n, "ms"))));
        return s;
    }
}
