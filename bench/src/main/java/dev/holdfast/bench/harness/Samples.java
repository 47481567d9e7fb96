package dev.holdfast.bench.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;

/**
 * The raw results, one line per sample, appended by every driver and by scripts/bench itself:
 * {@code metric TAB daemon TAB value} or {@code metric TAB daemon TAB NA TAB reason}. The report reads it
 * ({@code dev.holdfast.bench.report.SampleTable}).
 */
public final class Samples {
    private final Path file;

    public Samples(Path file) {
        this.file = file;
    }

    public synchronized void add(String metric, String daemon, double value) {
        append(metric + "\t" + daemon + "\t" + String.format(Locale.ROOT, "%.6f", value) + "\n");
    }

    public synchronized void na(String metric, String daemon, String reason) {
        append(metric + "\t" + daemon + "\tNA\t" + Errors.oneLine(reason) + "\n");
    }

    /** Nanoseconds (System.nanoTime() differences) as the milliseconds the samples hold. */
    public static double ms(long nanos) {
        return nanos / 1e6;
    }

    private void append(String line) {
        try {
            Files.writeString(file, line, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
