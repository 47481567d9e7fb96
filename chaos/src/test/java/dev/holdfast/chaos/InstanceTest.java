package dev.holdfast.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which process a kill fault may hit: the daemon its pid file names, and only while that pid is still the daemon. */
class InstanceTest {

    @Test
    void aPidFileNamesTheDaemonOnlyWhileThePidRunsThisInstancesDaemon(@TempDir Path root) throws Exception {
        Files.createDirectories(root.resolve("run"));
        Instance instance = new Instance(root, root);
        // sh keeps its arguments in /proc/PID/cmdline: a stand-in with the daemon's command line.
        Process daemon = new ProcessBuilder("sh", "-c", "sleep 60; :", "/x/holdfast-supervisor.jar", "--config",
                root.resolve("config.toml").toString()).start();
        Process otherInstance = new ProcessBuilder("sh", "-c", "sleep 60; :", "/x/holdfast-supervisor.jar", "--config",
                "/elsewhere/config.toml").start();
        Process stranger = new ProcessBuilder("sleep", "60").start();
        try {
            assertEquals(OptionalLong.of(daemon.pid()), pidFileNaming(instance, root, daemon));
            assertEquals(OptionalLong.empty(), pidFileNaming(instance, root, otherInstance));
            assertEquals(OptionalLong.empty(), pidFileNaming(instance, root, stranger));
        } finally {
            daemon.destroyForcibly().waitFor();
            otherInstance.destroyForcibly().waitFor();
            stranger.destroyForcibly().waitFor();
        }
        assertEquals(OptionalLong.empty(), pidFileNaming(instance, root, daemon), "a dead daemon's pid file");
    }

    private static OptionalLong pidFileNaming(Instance instance, Path root, Process process) throws IOException {
        Files.writeString(root.resolve("run/supervisor.pid"), process.pid() + "\n");
        return instance.daemonPid("supervisor");
    }
}
