package dev.holdfast.bench.harness;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** What the drivers read of other processes in /proc: CPU time, liveness, the shim of a container. */
public final class Procfs {
    private Procfs() {}

    /** USER_HZ: 100 on every Linux architecture that matters here. */
    private static final long CLK_TCK = 100;

    /** PF_EXITING in the flags of /proc/PID/stat: the process is being torn down (a SIGKILL has landed). */
    private static final long PF_EXITING = 0x4;

    /** The fields of /proc/PID/stat after "pid (comm) ": state is f[0], flags f[6], utime f[11], stime f[12]. */
    private static String[] stat(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        return stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    }

    /** CPU time (user + system, all threads, ms) a process has used so far; -1 when it is gone. */
    public static double cpuMillis(long pid) {
        try {
            String[] f = stat(pid);
            long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
            return ticks * 1000.0 / CLK_TCK;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** True while the process exists and is not a zombie. */
    public static boolean alive(long pid) {
        try {
            return !stat(pid)[0].equals("Z");
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** True while the process exists, is not a zombie and has not begun to exit. */
    public static boolean aliveAndNotExiting(long pid) {
        try {
            String[] f = stat(pid);
            return !f[0].equals("Z") && (Long.parseLong(f[6]) & PF_EXITING) == 0;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** The shim of a container: the process whose command line names the container id (holdfast-shim or
     *  containerd-shim-runc-v2 alike); -1 when none. */
    public static long shimOf(String id) {
        try (var dirs = Files.list(Path.of("/proc"))) {
            for (Path d : (Iterable<Path>) dirs::iterator) {
                String name = d.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit)) {
                    continue;
                }
                try {
                    String comm = Files.readString(d.resolve("comm")).strip();
                    if (!comm.startsWith("holdfast-shim") && !comm.startsWith("containerd-shim")) {
                        continue;
                    }
                    String cmd = new String(Files.readAllBytes(d.resolve("cmdline")), StandardCharsets.UTF_8);
                    if (cmd.contains(id)) {
                        return Long.parseLong(name);
                    }
                } catch (IOException ignored) {
                    // gone meanwhile
                }
            }
        } catch (IOException ignored) {
            // no /proc?
        }
        return -1;
    }
}
