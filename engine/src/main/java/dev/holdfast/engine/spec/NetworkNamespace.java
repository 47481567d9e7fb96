package dev.holdfast.engine.spec;

/** Which network namespace a container's process runs in. */
public sealed interface NetworkNamespace {
    /** A new one of its own, holding only loopback ({@code --network none}). */
    record Private() implements NetworkNamespace {}

    /** The host's ({@code --network host}). */
    record Host() implements NetworkNamespace {}

    /** An existing one: a bind-mounted namespace file, or another container's {@code /proc/PID/ns/net}. */
    record Join(String path) implements NetworkNamespace {}
}
