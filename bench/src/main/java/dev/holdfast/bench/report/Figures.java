package dev.holdfast.bench.report;

import java.util.Locale;

/** Numbers as the report prints them: three significant digits or so, whole numbers from 100 up. */
final class Figures {
    private Figures() {}

    static String num(double v) {
        double a = Math.abs(v);
        if (a >= 100 || v == Math.rint(v) && a >= 10) {
            return String.format(Locale.ROOT, "%.0f", v);
        }
        if (a >= 10) {
            return String.format(Locale.ROOT, "%.1f", v);
        }
        return String.format(Locale.ROOT, "%.2f", v);
    }
}
