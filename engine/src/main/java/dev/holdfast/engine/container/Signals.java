package dev.holdfast.engine.container;

import dev.holdfast.engine.api.ApiException;
import java.util.Locale;
import java.util.Map;

/** Linux signal names and numbers as {@code docker kill -s} and {@code StopSignal} accept them. */
public final class Signals {
    public static final int SIGKILL = 9;
    public static final int SIGTERM = 15;

    private static final int RTMIN = 34;
    private static final int RTMAX = 64;

    private static final Map<String, Integer> NUMBERS = Map.ofEntries(
            Map.entry("HUP", 1), Map.entry("INT", 2), Map.entry("QUIT", 3), Map.entry("ILL", 4),
            Map.entry("TRAP", 5), Map.entry("ABRT", 6), Map.entry("IOT", 6), Map.entry("BUS", 7),
            Map.entry("FPE", 8), Map.entry("KILL", 9), Map.entry("USR1", 10), Map.entry("SEGV", 11),
            Map.entry("USR2", 12), Map.entry("PIPE", 13), Map.entry("ALRM", 14), Map.entry("TERM", 15),
            Map.entry("STKFLT", 16), Map.entry("CHLD", 17), Map.entry("CONT", 18), Map.entry("STOP", 19),
            Map.entry("TSTP", 20), Map.entry("TTIN", 21), Map.entry("TTOU", 22), Map.entry("URG", 23),
            Map.entry("XCPU", 24), Map.entry("XFSZ", 25), Map.entry("VTALRM", 26), Map.entry("PROF", 27),
            Map.entry("WINCH", 28), Map.entry("IO", 29), Map.entry("POLL", 29), Map.entry("PWR", 30),
            Map.entry("SYS", 31), Map.entry("RTMIN", RTMIN), Map.entry("RTMAX", RTMAX));

    private Signals() {}

    /** "KILL", "SIGKILL", "kill", "9", "RTMIN+3"; anything else is Docker's 400 {@code Invalid signal: x}. */
    public static int parse(String text) {
        String name = text.trim().toUpperCase(Locale.ROOT);
        if (name.startsWith("SIG")) {
            name = name.substring(3);
        }
        Integer number;
        if (name.matches("\\d{1,3}")) {
            number = Integer.parseInt(name);
        } else if (name.matches("RTMIN\\+\\d{1,2}")) {
            number = RTMIN + Integer.parseInt(name.substring(6));
        } else if (name.matches("RTMAX-\\d{1,2}")) {
            number = RTMAX - Integer.parseInt(name.substring(6));
        } else {
            number = NUMBERS.get(name);
        }
        if (number == null || number < 1 || number > RTMAX) {
            throw ApiException.badRequest("Invalid signal: " + text);
        }
        return number;
    }
}
