package dev.holdfast.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Smoke test: the docker CLI talks to holdfast, runs a container, sees its output and its exit code. */
class DockerLifecycleTest {

    private static HoldfastDaemon holdfast;

    @BeforeAll
    static void start() {
        holdfast = HoldfastDaemon.start();
    }

    @AfterAll
    static void stop() {
        if (holdfast != null) {
            holdfast.close();
        }
    }

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
