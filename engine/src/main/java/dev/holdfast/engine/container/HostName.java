package dev.holdfast.engine.container;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The host's name, which a container on the host network takes as its own (as in Docker). */
final class HostName {
    private static final Path KERNEL_HOSTNAME = Path.of("/proc/sys/kernel/hostname");

    private HostName() {}

    static String get() {
        try {
            return Files.readString(KERNEL_HOSTNAME).strip();
        } catch (IOException e) {
            return "localhost";
        }
    }
}
