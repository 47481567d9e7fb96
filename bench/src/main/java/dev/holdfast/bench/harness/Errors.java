package dev.holdfast.bench.harness;

import java.util.List;

/** Error texts as the samples file keeps them: one line, the one that says what went wrong. */
public final class Errors {
    private Errors() {}

    public static String oneLine(String s) {
        if (s == null) {
            return "unknown error";
        }
        String t = s.replace('\t', ' ').replace('\r', ' ').strip();
        String[] lines = t.split("\n");
        // The last non-blank line of an error output is usually the one that says what went wrong.
        for (int i = lines.length - 1; i >= 0; i--) {
            if (!lines[i].isBlank()) {
                t = lines[i].strip();
                break;
            }
        }
        return t.length() > 300 ? t.substring(0, 297) + "..." : t;
    }

    /** What a docker CLI call said went wrong: its "Error ..." line rather than the usage hint after it. */
    public static String cliError(String stderr) {
        if (stderr != null) {
            for (String want : List.of("Error response from daemon", "Error", "error")) {
                for (String l : stderr.split("\n")) {
                    if (l.contains(want)) {
                        return oneLine(l.replaceFirst("^docker: ", ""));
                    }
                }
            }
        }
        return oneLine(stderr);
    }

    public static String reason(Throwable e) {
        String m = e.getMessage();
        return oneLine(m == null ? e.getClass().getSimpleName() : m);
    }
}
