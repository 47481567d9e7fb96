package dev.holdfast.engine.stats;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** {@code docker top}: the container's processes, read from the host's /proc in the shape of {@code ps -ef}. */
public final class ProcessTable {
    public static final List<String> TITLES = List.of("UID", "PID", "PPID", "C", "STIME", "TTY", "TIME", "CMD");
    private static final long HZ = 100;

    private final Path proc;
    private final Map<Integer, String> users;

    public ProcessTable(Path proc, Path passwd) {
        this.proc = proc;
        this.users = readUsers(passwd);
    }

    public static ProcessTable host() {
        return new ProcessTable(Path.of("/proc"), Path.of("/etc/passwd"));
    }

    /** One {@code ps -ef} row per pid that still exists. */
    public List<List<String>> rows(List<Integer> pids) {
        double uptime = uptimeSeconds();
        Instant boot = Instant.now().minusMillis((long) (uptime * 1000));
        List<List<String>> rows = new ArrayList<>();
        for (int pid : pids) {
            try {
                rows.add(row(pid, uptime, boot));
            } catch (IOException | RuntimeException e) {
                // Exited between ListPids and now.
            }
        }
        return rows;
    }

    List<String> row(int pid, double uptime, Instant boot) throws IOException {
        Path dir = proc.resolve(String.valueOf(pid));
        String stat = Files.readString(dir.resolve("stat"));
        String comm = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
        int ppid = Integer.parseInt(f[1]);
        int ttyNr = Integer.parseInt(f[4]);
        long cpuTicks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
        long startTicks = Long.parseLong(f[19]);
        double elapsed = uptime - (double) startTicks / HZ;
        long c = elapsed > 0 ? (long) ((cpuTicks / (double) HZ) * 100 / elapsed) : 0;
        Instant started = boot.plusMillis(startTicks * 1000 / HZ);
        return List.of(user(uid(dir)), String.valueOf(pid), String.valueOf(ppid), String.valueOf(c), stime(started),
                tty(ttyNr), cpuTime(cpuTicks / HZ), cmd(dir, comm));
    }

    private int uid(Path dir) throws IOException {
        for (String line : Files.readAllLines(dir.resolve("status"))) {
            if (line.startsWith("Uid:")) {
                return Integer.parseInt(line.substring(4).trim().split("\\s+")[0]);
            }
        }
        return 0;
    }

    private String user(int uid) {
        return users.getOrDefault(uid, String.valueOf(uid));
    }

    static String stime(Instant started) {
        LocalDateTime t = LocalDateTime.ofInstant(started, ZoneId.systemDefault());
        if (t.toLocalDate().equals(LocalDate.now())) {
            return t.format(DateTimeFormatter.ofPattern("HH:mm"));
        }
        return t.format(DateTimeFormatter.ofPattern("MMMdd", Locale.ENGLISH));
    }

    static String tty(int ttyNr) {
        if (ttyNr == 0) {
            return "?";
        }
        int major = (ttyNr >> 8) & 0xfff;
        int minor = (ttyNr & 0xff) | ((ttyNr >> 12) & 0xfff00);
        if (major == 136) {
            return "pts/" + minor;
        }
        if (major == 4) {
            return "tty" + minor;
        }
        return "?";
    }

    static String cpuTime(long seconds) {
        long days = seconds / 86400;
        String hms = String.format("%02d:%02d:%02d", (seconds / 3600) % 24, (seconds / 60) % 60, seconds % 60);
        return days > 0 ? days + "-" + hms : hms;
    }

    private static String cmd(Path dir, String comm) throws IOException {
        byte[] raw = Files.readAllBytes(dir.resolve("cmdline"));
        if (raw.length == 0) {
            return "[" + comm + "]";
        }
        String text = new String(raw, StandardCharsets.UTF_8);
        if (text.endsWith("\0")) {
            text = text.substring(0, text.length() - 1);
        }
        return text.replace('\0', ' ');
    }

    private double uptimeSeconds() {
        try {
            return Double.parseDouble(Files.readString(proc.resolve("uptime")).trim().split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    private static Map<Integer, String> readUsers(Path passwd) {
        Map<Integer, String> users = new HashMap<>();
        try {
            for (String line : Files.readAllLines(passwd)) {
                String[] f = line.split(":");
                if (f.length > 2) {
                    try {
                        users.putIfAbsent(Integer.parseInt(f[2]), f[0]);
                    } catch (NumberFormatException e) {
                        // A malformed line names nobody.
                    }
                }
            }
        } catch (IOException e) {
            // Without a passwd file, numeric uids.
        }
        return users;
    }
}
