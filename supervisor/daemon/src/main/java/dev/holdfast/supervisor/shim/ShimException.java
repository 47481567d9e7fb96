package dev.holdfast.supervisor.shim;

/** The shim answered {@code error <message>}: the operation failed, the shim itself is fine. */
public final class ShimException extends Exception {
    public ShimException(String message) {
        super(message);
    }
}
