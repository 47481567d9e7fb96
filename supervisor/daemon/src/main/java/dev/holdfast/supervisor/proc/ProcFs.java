package dev.holdfast.supervisor.proc;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/** What /proc says about a process: its start time and its command line. Absent when the process is gone. */
public final class ProcFs {
    private static final Path PROC = Path.of("/proc");

    private ProcFs() {}

    /** A live (not zombie) process's start time in clock ticks since boot: /proc/PID/stat field 22. */
    public static OptionalLong startTime(long pid) {
        try {
            return parseStartTime(Files.readString(PROC.resolve(Long.toString(pid)).resolve("stat"),
                    StandardCharsets.ISO_8859_1));
        } catch (IOException e) {
            return OptionalLong.empty();
        }
    }

    /**
     * Field 22 of a /proc/PID/stat line. The command name (field 2) is in parentheses and may itself contain spaces
     * and parentheses, so fields are counted from the last ')'. Zombies and dead processes (state Z, X) have none.
     */
    public static OptionalLong parseStartTime(String stat) {
        int close = stat.lastIndexOf(')');
        if (close < 0) {
            return OptionalLong.empty();
        }
        String[] rest = stat.substring(close + 1).trim().split("\\s+");
        // rest[0] is field 3 (state), so field N is rest[N - 3].
        if (rest.length < 20) {
            return OptionalLong.empty();
        }
        if (rest[0].equals("Z") || rest[0].equals("X") || rest[0].equals("x")) {
            return OptionalLong.empty();
        }
        try {
            return OptionalLong.of(Long.parseLong(rest[19]));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    /** /proc/PID/cmdline split at NULs; empty for a kernel thread or zombie, absent when the process is gone. */
    public static Optional<List<String>> cmdline(long pid) {
        try {
            return Optional.of(parseCmdline(Files.readAllBytes(PROC.resolve(Long.toString(pid)).resolve("cmdline"))));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    public static List<String> parseCmdline(byte[] raw) {
        List<String> args = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < raw.length; i++) {
            if (raw[i] == 0) {
                args.add(new String(raw, start, i - start, StandardCharsets.UTF_8));
                start = i + 1;
            }
        }
        if (start < raw.length) {
            args.add(new String(raw, start, raw.length - start, StandardCharsets.UTF_8));
        }
        return args;
    }
}
