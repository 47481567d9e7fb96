package dev.holdfast.engine.errdefs;

/**
 * What went wrong, as the domain sees it, without saying how a protocol reports it (moby's errdefs). The HTTP layer
 * maps each kind to a status code in one place.
 */
public enum ErrorKind {
    /** The caller asked for something malformed or contradictory. */
    INVALID_PARAMETER,
    /** Something holdfast does not implement (yet): refused, never accepted and ignored. */
    NOT_IMPLEMENTED,
    /** The named object does not exist. */
    NOT_FOUND,
    /** The request is understood and valid, but never allowed (removing a predefined network). */
    FORBIDDEN,
    /** The object exists but its state forbids the request (in use, taken, running). */
    CONFLICT,
    /** A dependency (the supervisor, a host tool) cannot be reached now; retrying may help. */
    UNAVAILABLE,
    /** Anything else: a failure of the host or of holdfast itself. */
    SYSTEM
}
