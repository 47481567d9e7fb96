package dev.holdfast.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Smoke test: the docker CLI talks to holdfast, runs a container, sees its output and its exit code. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DockerLifecycleTest {

    @AutoClose
    private final HoldfastDaemon holdfast = HoldfastDaemon.start();

    @Test
    void dockerVersionReachesTheEngine() {
        DockerResult version = holdfast.docker("version").assertOk();
        assertTrue(version.stdout().contains("Server"), () -> "no Server section: " + version);
    }

    @Test
    void runPrintsTheContainersOutput() {
        DockerResult run = holdfast.docker("run", "--rm", "busybox", "echo", "hello").assertOk();
        assertEquals("hello", run.out(), run::toString);
    }

    @Test
    void runExitsWithTheContainersExitCode() {
        DockerResult run = holdfast.docker("run", "--rm", "busybox", "sh", "-c", "exit 42");
        assertEquals(42, run.exitCode(), run::toString);
    }
}
