package dev.holdfast.bench.harness;

/** A driver's command line is wrong: {@link Usage#run} prints the message and the driver's usage, exits 2. */
public final class UsageException extends IllegalArgumentException {
    public UsageException(String message) {
        super(message);
    }
}
