package dev.holdfast.supervisor.shim;

/** The shim answered {@code error <message>}: the operation failed, the shim itself is fine. */
public final class ShimException extends Exception {
    private static final long serialVersionUID = 1L;

    public ShimException(String message) {
        super(message);
    }
}
