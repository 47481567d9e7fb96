package dev.holdfast.compat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The cgroup v1 files of a running container, found through its init process's cgroup path. */
final class ContainerCgroup {
    private ContainerCgroup() {}

    /** {@code controller} as it appears in /proc/PID/cgroup ("memory", "cpu", "pids"), {@code file} in its directory. */
    static String read(int pid, String controller, String file) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/cgroup"))) {
                String[] f = line.split(":", 3);
                if (List.of(f[1].split(",")).contains(controller)) {
                    return Files.readString(Path.of("/sys/fs/cgroup/" + f[1] + f[2] + "/" + file)).trim();
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new AssertionError("no " + controller + " cgroup for pid " + pid);
    }
}
