package dev.holdfast.engine.check;

/**
 * The two fields of {@code /proc/PID/stat} the checker needs: the state (field 3) and the start time in clock ticks
 * after boot (field 22). The command name (field 2) is in parentheses and may hold spaces and parentheses itself,
 * so the fields are counted from its last closing parenthesis.
 */
record ProcStat(char state, long startTicks) {
    static ProcStat parse(String stat) {
        int close = stat.lastIndexOf(')');
        if (close < 0 || close + 2 >= stat.length()) {
            throw new IllegalArgumentException("not a /proc/PID/stat line: " + stat);
        }
        String[] fields = stat.substring(close + 2).trim().split(" ");
        if (fields.length < 20) {
            throw new IllegalArgumentException("a /proc/PID/stat line with " + (fields.length + 2) + " fields: "
                    + stat);
        }
        return new ProcStat(fields[0].charAt(0), Long.parseLong(fields[19]));
    }

    boolean zombie() {
        return state == 'Z';
    }
}
