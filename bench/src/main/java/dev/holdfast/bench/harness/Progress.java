package dev.holdfast.bench.harness;

import java.util.Locale;

/**
 * The progress line: rewritten in place on a terminal (BENCH_TTY=1), otherwise a plain line at most every
 * 10 seconds. Elapsed time counts from BENCH_T0 (epoch ms), the start of scripts/bench.
 */
public final class Progress {
    private static final boolean TTY = "1".equals(System.getenv("BENCH_TTY"));
    private static final long T0 = parseT0();
    private static long lastPlain;

    private Progress() {}

    private static long parseT0() {
        try {
            return Long.parseLong(System.getenv("BENCH_T0"));
        } catch (RuntimeException e) {
            return System.currentTimeMillis();
        }
    }

    public static synchronized void show(String msg) {
        long now = System.currentTimeMillis();
        long s = (now - T0) / 1000;
        String line = String.format(Locale.ROOT, "[%02d:%02d] %s", s / 60, s % 60, msg);
        if (TTY) {
            System.err.print("\r\033[K" + line);
            System.err.flush();
        } else if (now - lastPlain >= 10_000) {
            lastPlain = now;
            System.err.println(line);
        }
    }
}
