package dev.holdfast.bench.measure;

import dev.holdfast.bench.harness.Samples;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * A paced client's request counts per daemon, summed over the repetitions, written once at the end as
 * {@code PREFIX.ok}, {@code .failed}, {@code .unreachable} and {@code .restarts}: only for the daemons none of whose
 * repetitions failed (a partial sum would mislead).
 */
final class RequestTally {
    private final Map<String, long[]> sums = new LinkedHashMap<>(); // ok, failed, unreachable, restarts

    void add(String daemon, RequestStats s) {
        long[] sum = sums.computeIfAbsent(daemon, k -> new long[4]);
        sum[0] += s.ok();
        sum[1] += s.failed();
        sum[2] += s.unreachable();
        sum[3]++;
    }

    void write(Samples samples, String prefix, Set<String> failedDaemons) {
        sums.forEach((daemon, sum) -> {
            if (failedDaemons.contains(daemon)) {
                return;
            }
            samples.add(prefix + ".ok", daemon, sum[0]);
            samples.add(prefix + ".failed", daemon, sum[1]);
            samples.add(prefix + ".unreachable", daemon, sum[2]);
            samples.add(prefix + ".restarts", daemon, sum[3]);
        });
    }
}
