package dev.holdfast.engine.errdefs;

/** A failure of the domain with its {@link ErrorKind}; the message names what failed (which container, network, path). */
public class DomainException extends RuntimeException {
    private final ErrorKind kind;

    public DomainException(ErrorKind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public ErrorKind kind() {
        return kind;
    }

    public static DomainException invalidParameter(String message) {
        return new DomainException(ErrorKind.INVALID_PARAMETER, message, null);
    }

    /** {@code what} is the option, field or driver, e.g. {@code "network driver \"overlay\""}. */
    public static DomainException notImplemented(String what) {
        return new DomainException(ErrorKind.NOT_IMPLEMENTED, what + " is not supported by holdfast yet", null);
    }

    public static DomainException notFound(String message) {
        return new DomainException(ErrorKind.NOT_FOUND, message, null);
    }

    public static DomainException forbidden(String message) {
        return new DomainException(ErrorKind.FORBIDDEN, message, null);
    }

    public static DomainException conflict(String message) {
        return new DomainException(ErrorKind.CONFLICT, message, null);
    }

    public static DomainException unavailable(String message, Throwable cause) {
        return new DomainException(ErrorKind.UNAVAILABLE, message, cause);
    }

    public static DomainException system(String message, Throwable cause) {
        return new DomainException(ErrorKind.SYSTEM, message, cause);
    }
}
