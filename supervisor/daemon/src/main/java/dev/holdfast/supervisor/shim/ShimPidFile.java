package dev.holdfast.supervisor.shim;

import dev.holdfast.supervisor.proc.ProcFs;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;

/**
 * shim.pid: {@code <shim pid> <start time in clock ticks>}. The start time makes the pid a stable identity: a pid the
 * kernel reused for another process has a different start time, so it is never mistaken for the shim.
 */
public record ShimPidFile(int pid, long startTime) {

    /** @throws IllegalArgumentException when the content is not two positive numbers */
    public static ShimPidFile parse(String content) {
        String[] parts = content.strip().split("\\s+");
        if (parts.length == 2) {
            try {
                int pid = Integer.parseInt(parts[0]);
                long start = Long.parseLong(parts[1]);
                if (pid > 0 && start >= 0) {
                    return new ShimPidFile(pid, start);
                }
            } catch (NumberFormatException e) {
                // fall through
            }
        }
        throw new IllegalArgumentException("malformed shim.pid: \"" + content.strip() + "\"");
    }

    /** True when this pid is, right now, the holdfast-shim process serving task {@code id}'s init. */
    public boolean isLiveShimFor(String id) {
        return isLiveShimFor(id, "");
    }

    /** True when this pid is, right now, the holdfast-shim process serving exec {@code execId} ("" for init). */
    public boolean isLiveShimFor(String id, String execId) {
        OptionalLong start = ProcFs.startTime(pid);
        if (start.isEmpty() || start.getAsLong() != startTime) {
            return false;
        }
        return ProcFs.cmdline(pid).map(args -> isShimCommandFor(args, id, execId)).orElse(false);
    }

    /** A command line of holdfast-shim (by the program's file name) with {@code --id <id>} and no exec id. */
    public static boolean isShimCommandFor(List<String> args, String id) {
        return isShimCommandFor(args, id, "");
    }

    /**
     * A command line of holdfast-shim (by the program's file name) with {@code --id <id>} and, for an exec,
     * {@code --exec-id <execId>} (for init, {@code execId} is "" and there must be no {@code --exec-id}).
     */
    public static boolean isShimCommandFor(List<String> args, String id, String execId) {
        if (args.isEmpty()) {
            return false;
        }
        Path program = Path.of(args.get(0)).getFileName();
        if (program == null || !program.toString().equals("holdfast-shim")) {
            return false;
        }
        String shimExecId = option(args, "--exec-id");
        return id.equals(option(args, "--id")) && execId.equals(shimExecId == null ? "" : shimExecId);
    }

    /** The value after the first {@code name} among the arguments, or null. */
    private static String option(List<String> args, String name) {
        for (int i = 1; i + 1 < args.size(); i++) {
            if (args.get(i).equals(name)) {
                return args.get(i + 1);
            }
        }
        return null;
    }
}
