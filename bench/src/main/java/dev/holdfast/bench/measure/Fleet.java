package dev.holdfast.bench.measure;

import dev.holdfast.bench.api.DockerApi;
import dev.holdfast.bench.api.UnixHttp;
import dev.holdfast.bench.harness.Args;
import dev.holdfast.bench.harness.Errors;
import dev.holdfast.bench.harness.Progress;
import dev.holdfast.bench.harness.Samples;
import dev.holdfast.bench.harness.Target;
import dev.holdfast.bench.harness.Usage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The N long-running containers that the memory, API and restart measurements need: creates and starts N
 * {@code sleep} containers on each daemon, interleaved (one on A, one on B, ...), and records {@code fleet.start}
 * (ms for all N). A daemon that fails is reported with {@code NA} for fleet.start and prints
 * {@code FAILED NAME reason} on stdout, so that scripts/bench can mark the measurements that need the fleet as n/a
 * for it.
 * <p>
 * Usage: {@link #USAGE}.
 */
public final class Fleet {
    static final String USAGE = "Fleet up --daemon NAME=SOCK... --samples FILE [--n 50]";

    public static void main(String[] argv) throws Exception {
        if (argv.length == 0 || !argv[0].equals("up")) {
            System.err.println("usage: " + USAGE);
            System.exit(2);
        }
        Usage.run(USAGE, Arrays.copyOfRange(argv, 1, argv.length), Fleet::up);
    }

    private static void up(Args args) throws IOException {
        int n = args.getInt("n", 50);
        Samples samples = new Samples(Path.of(args.require("samples")));
        List<Target> targets = new ArrayList<>(args.targets());
        Map<String, Long> elapsed = new LinkedHashMap<>();
        Map<String, UnixHttp> conns = new LinkedHashMap<>();
        for (Target t : targets) {
            elapsed.put(t.name(), 0L);
        }
        String body = DockerApi.createBody(List.of("sleep", "86400"), Map.of("hfbench", "fleet"));
        for (int i = 0; i < n; i++) {
            for (Target t : List.copyOf(targets)) {
                Progress.show("starting " + n + " containers: " + (i + 1) + "/" + n + " (" + t.name()
                        + ")");
                try {
                    UnixHttp http = conns.get(t.name());
                    if (http == null) {
                        http = new UnixHttp(t.socket());
                        conns.put(t.name(), http);
                    }
                    long t0 = System.nanoTime();
                    String id = DockerApi.create(http, body);
                    DockerApi.start(http, id);
                    elapsed.merge(t.name(), System.nanoTime() - t0, Long::sum);
                } catch (IOException | RuntimeException e) {
                    String why = "container " + (i + 1) + "/" + n + ": " + Errors.reason(e);
                    samples.na("fleet.start", t.name(), why);
                    System.out.println("FAILED " + t.name() + " " + why);
                    targets.remove(t);
                }
            }
        }
        for (Target t : targets) {
            samples.add("fleet.start", t.name(), Samples.ms(elapsed.get(t.name())));
        }
        conns.values().forEach(UnixHttp::close);
    }
}
