package dev.holdfast.bench.harness;

import java.nio.file.Path;

/** A daemon under test: its name in the results and its API socket. Parsed from {@code name=/path/to.sock}. */
public record Target(String name, Path socket) {
    public static Target parse(String spec) {
        int eq = spec.indexOf('=');
        if (eq <= 0) {
            throw new UsageException("--daemon wants NAME=SOCKET, got " + spec);
        }
        String sock = spec.substring(eq + 1);
        if (sock.startsWith("unix://")) {
            sock = sock.substring("unix://".length());
        }
        return new Target(spec.substring(0, eq), Path.of(sock));
    }

    public String dockerHost() {
        return "unix://" + socket;
    }
}
