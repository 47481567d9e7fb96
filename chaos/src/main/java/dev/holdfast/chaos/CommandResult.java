package dev.holdfast.chaos;

/**
 * How one command ended: its exit code, its output, and whether it was cut off ({@code cutOff}: ran past its
 * timeout, or was ended on purpose after its time, as an attach or a {@code logs -f} is).
 */
public record CommandResult(int exit, String out, String err, boolean cutOff) {

    public boolean ok() {
        return exit == 0 && !cutOff;
    }

    /** The first line of stderr (or of stdout when stderr is empty), at most 200 characters: for the log. */
    public String firstLine() {
        String text = err.isBlank() ? out : err;
        String line = text.strip().lines().findFirst().orElse("");
        return line.length() > 200 ? line.substring(0, 200) + "..." : line;
    }
}
