import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The N long-running containers that the memory, API and restart measurements need.
 * <ul>
 *   <li>{@code Fleet up --daemon NAME=SOCK... --n N --samples FILE}: creates and starts N {@code sleep} containers
 *       on each daemon, interleaved (one on A, one on B, ...), and records {@code fleet.start} (ms for all N);</li>
 *   <li>{@code Fleet rm --daemon NAME=SOCK...}: force-removes every container of the daemons (teardown).</li>
 * </ul>
 * A daemon that fails is reported with {@code NA} for fleet.start and prints {@code FAILED NAME reason} on stdout,
 * so that scripts/bench can mark the measurements that need the fleet as n/a for it.
 */
public final class Fleet {
    public static void main(String[] argv) throws Exception {
        String cmd = argv.length > 0 ? argv[0] : "";
        BenchSupport.Args args = new BenchSupport.Args(java.util.Arrays.copyOfRange(argv, 1, argv.length));
        switch (cmd) {
            case "up" -> up(args);
            case "rm" -> rm(args);
            default -> throw new IllegalArgumentException("usage: Fleet up|rm --daemon NAME=SOCK ...");
        }
    }

    private static void up(BenchSupport.Args args) throws IOException {
        int n = args.getInt("n", 50);
        BenchSupport.Samples samples = new BenchSupport.Samples(Path.of(args.require("samples")));
        List<BenchSupport.Target> targets = new ArrayList<>(args.targets());
        Map<String, Long> elapsed = new LinkedHashMap<>();
        Map<String, BenchSupport.UnixHttp> conns = new LinkedHashMap<>();
        for (BenchSupport.Target t : targets) {
            elapsed.put(t.name(), 0L);
        }
        String body = BenchSupport.createBody(List.of("sleep", "86400"), Map.of("hfbench", "fleet"));
        for (int i = 0; i < n; i++) {
            for (BenchSupport.Target t : List.copyOf(targets)) {
                BenchSupport.Progress.show("starting " + n + " containers: " + (i + 1) + "/" + n + " (" + t.name()
                        + ")");
                try {
                    BenchSupport.UnixHttp http = conns.get(t.name());
                    if (http == null) {
                        http = new BenchSupport.UnixHttp(t.socket());
                        conns.put(t.name(), http);
                    }
                    long t0 = System.nanoTime();
                    String id = BenchSupport.create(http, body);
                    BenchSupport.start(http, id);
                    elapsed.merge(t.name(), System.nanoTime() - t0, Long::sum);
                } catch (IOException | RuntimeException e) {
                    String why = "container " + (i + 1) + "/" + n + ": " + BenchSupport.reason(e);
                    samples.na("fleet.start", t.name(), why);
                    System.out.println("FAILED " + t.name() + " " + why);
                    targets.remove(t);
                }
            }
        }
        for (BenchSupport.Target t : targets) {
            samples.add("fleet.start", t.name(), BenchSupport.ms(elapsed.get(t.name())));
        }
        conns.values().forEach(BenchSupport.UnixHttp::close);
    }

    private static void rm(BenchSupport.Args args) throws IOException {
        for (BenchSupport.Target t : args.targets()) {
            try (BenchSupport.UnixHttp http = new BenchSupport.UnixHttp(t.socket())) {
                Object list = http.get(BenchSupport.API + "/containers/json?all=1").expect(200).json();
                if (list instanceof List<?> l) {
                    for (Object c : l) {
                        Object id = BenchSupport.Json.at(c, "Id");
                        if (id instanceof String s) {
                            http.delete(BenchSupport.API + "/containers/" + s + "?force=1");
                        }
                    }
                }
            } catch (IOException | RuntimeException e) {
                System.err.println("Fleet rm " + t.name() + ": " + BenchSupport.reason(e));
            }
        }
    }
}
