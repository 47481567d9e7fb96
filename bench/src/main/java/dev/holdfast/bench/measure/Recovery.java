package dev.holdfast.bench.measure;

import dev.holdfast.bench.api.DockerApi;
import dev.holdfast.bench.api.Response;
import dev.holdfast.bench.api.UnixHttp;
import dev.holdfast.bench.harness.Procfs;
import dev.holdfast.bench.harness.Target;
import java.io.IOException;
import java.util.Set;

/** Waiting for a daemon that was taken down to serve again: its API answers, then it lists the containers. */
final class Recovery {
    private Recovery() {}

    /**
     * When {@code GET /_ping} first answered, when {@code GET /containers/json} first listed every container wanted
     * as running (System.nanoTime()), and the CPU time (ms) the new daemon process had used at the first answer (-1
     * when it is not known).
     */
    record Recovered(long pinged, long listed, double cpuAtPing) {}

    /**
     * Polls the daemon, as a client reconnecting as fast as it can would, until it answers and lists all of
     * {@code want} as running (nothing wanted: until it answers). Fails when {@code comeback} does, or after
     * {@code timeoutMs} from {@code since}.
     */
    static Recovered await(Target t, DaemonControl.Comeback comeback, Set<String> want, long since, long timeoutMs)
            throws InterruptedException {
        long pinged = -1;
        double cpu = -1;
        UnixHttp http = null;
        try {
            while (true) {
                if (System.nanoTime() - since > timeoutMs * 1_000_000L) {
                    throw new IllegalStateException((pinged < 0 ? "API not answering" : "not all " + want.size()
                            + " containers running") + " " + timeoutMs / 1000 + " s after the restart");
                }
                comeback.check();
                if (http == null) {
                    http = UnixHttp.tryOpen(t.socket());
                    if (http == null) {
                        Thread.sleep(2);
                        continue;
                    }
                }
                try {
                    if (pinged < 0) {
                        Response r = http.request("GET", DockerApi.API + "/_ping", null, 5000);
                        if (r.status() != 200) {
                            Thread.sleep(2);
                            continue;
                        }
                        pinged = System.nanoTime();
                        long pid = comeback.pid();
                        cpu = pid > 0 ? Procfs.cpuMillis(pid) : -1;
                    }
                    if (want.isEmpty() || DockerApi.runningIds(http).containsAll(want)) {
                        return new Recovered(pinged, System.nanoTime(), cpu);
                    }
                } catch (IOException | RuntimeException e) {
                    http.close();
                    http = null;
                }
                Thread.sleep(5);
            }
        } finally {
            if (http != null) {
                http.close();
            }
        }
    }
}
