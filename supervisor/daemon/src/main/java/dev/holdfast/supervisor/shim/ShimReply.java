package dev.holdfast.supervisor.shim;

/**
 * The one line a launched shim prints: {@code ok <init pid> <shim pid>} or {@code error <runc's message>}. In exec
 * mode the pid is 0: nothing runs before {@code start}.
 */
public sealed interface ShimReply {

    /** The shim serves its control socket; in container mode runc create succeeded and {@code pid} is init's. */
    record Ok(int pid, int shimPid) implements ShimReply {}

    /** runc create (or the shim's own setup) failed with this message. */
    record Error(String message) implements ShimReply {}

    /**
     * Parses the line (without its newline).
     *
     * @throws IllegalArgumentException for anything else, quoting the line
     */
    static ShimReply parse(String line) {
        if (line == null) {
            throw new IllegalArgumentException("shim printed nothing");
        }
        String l = line.strip();
        if (l.equals("error")) {
            return new Error("(no message)");
        }
        if (l.startsWith("error ")) {
            String msg = l.substring("error ".length()).strip();
            return new Error(msg.isEmpty() ? "(no message)" : msg);
        }
        if (l.startsWith("ok ")) {
            String[] parts = l.split(" +");
            if (parts.length == 3) {
                try {
                    int pid = Integer.parseInt(parts[1]);
                    int shimPid = Integer.parseInt(parts[2]);
                    if (pid >= 0 && shimPid > 0) {
                        return new Ok(pid, shimPid);
                    }
                } catch (NumberFormatException e) {
                    // fall through
                }
            }
        }
        throw new IllegalArgumentException("unexpected shim output: \"" + abbreviate(l) + "\"");
    }

    private static String abbreviate(String s) {
        return s.length() <= 200 ? s : s.substring(0, 200) + "...";
    }
}
