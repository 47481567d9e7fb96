package dev.holdfast.supervisor.shim;

import dev.holdfast.supervisor.bundle.ExitRecord;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * A shim's answer to {@code state} or {@code wait}: {@code created <pid>}, {@code running <pid>} or
 * {@code stopped <pid> <exit code> <exited_at>}.
 */
public sealed interface ShimState {

    int pid();

    record Created(int pid) implements ShimState {}

    record Running(int pid) implements ShimState {}

    record Stopped(int pid, int exitCode, Instant exitedAt) implements ShimState {
        public ExitRecord toExit() {
            return new ExitRecord(pid, exitCode, exitedAt);
        }
    }

    /** @throws IllegalArgumentException for anything that is not one of the three forms */
    static ShimState parse(String line) {
        String[] p = line == null ? new String[0] : line.strip().split(" +");
        try {
            if (p.length == 2 && p[0].equals("created")) {
                return new Created(Integer.parseInt(p[1]));
            }
            if (p.length == 2 && p[0].equals("running")) {
                return new Running(Integer.parseInt(p[1]));
            }
            if (p.length == 4 && p[0].equals("stopped")) {
                return new Stopped(Integer.parseInt(p[1]), Integer.parseInt(p[2]), Instant.parse(p[3]));
            }
        } catch (NumberFormatException | DateTimeParseException e) {
            // fall through
        }
        throw new IllegalArgumentException("unexpected shim state answer: \"" + line + "\"");
    }
}
