package dev.holdfast.supervisor.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SupervisorConfigTest {
    private static final Path BASE = Path.of("/etc/holdfast");
    private static final Optional<Path> JAR_DIR = Optional.of(Path.of("/repo/supervisor/daemon/target"));

    @Test
    void emptyFileGivesDefaults() {
        SupervisorConfig c = SupervisorConfig.parse("", BASE, Map.of(), JAR_DIR, "");
        assertEquals(Path.of("/run/holdfast"), c.run());
        assertEquals(Path.of("/run/holdfast/supervisor.sock"), c.socket());
        assertEquals(Path.of("/repo/shim/target/holdfast-shim"), c.shim());
        assertEquals(Path.of("runc"), c.runc());
        assertEquals("/holdfast", c.cgroupParent());
        assertEquals(Path.of("/run/holdfast/supervisor/tasks"), c.tasksDir());
        assertEquals(Path.of("/run/holdfast/runc"), c.runcRoot());
        assertEquals(Path.of("/run/holdfast/shim/abc.sock"), c.shimSocket("abc"));
        assertEquals(Path.of("/run/holdfast/supervisor.pid"), c.pidFile());
    }

    @Test
    void execSocketsAreShortHashesOfBothIds() {
        SupervisorConfig c = SupervisorConfig.parse("", BASE, Map.of(), JAR_DIR, "");
        assertEquals(c.shimSocket("abc"), c.shimSocket("abc", ""));
        // The first 24 hex digits of sha256("abc/e1").
        assertEquals(Path.of("/run/holdfast/shim/07639a510bea673567d05d35.sock"), c.shimSocket("abc", "e1"));
        assertNotEquals(c.shimSocket("abc", "e1"), c.shimSocket("ab", "ce1"));
        assertEquals(29, c.shimSocket("x".repeat(128), "y".repeat(128)).getFileName().toString().length());
    }

    @Test
    void defaultsFollowPathsRun() {
        SupervisorConfig c = SupervisorConfig.parse("""
                [paths]
                data = "/x/data"
                run = "/x/run"
                """, BASE, Map.of(), JAR_DIR, "");
        assertEquals(Path.of("/x/run/supervisor.sock"), c.socket());
        assertEquals(Path.of("/x/run/runc"), c.runcRoot());
        assertEquals(Path.of("/x/run/supervisor/tasks/t"), c.tasksDir().resolve("t"));
    }

    @Test
    void explicitKeysWin() {
        SupervisorConfig c = SupervisorConfig.parse("""
                [paths]
                run = "/x/run"
                [supervisor]
                socket = "/y/sup.sock"
                shim = "/opt/holdfast-shim"
                runc = "/usr/local/bin/runc"
                cgroup_parent = "/holdfast-abc/"
                [engine]
                socket = "/ignored"
                """, BASE, Map.of("HOLDFAST_SHIM", "/env/shim"), JAR_DIR, "");
        assertEquals(Path.of("/y/sup.sock"), c.socket());
        assertEquals(Path.of("/opt/holdfast-shim"), c.shim());
        assertEquals(Path.of("/usr/local/bin/runc"), c.runc());
        assertEquals("/holdfast-abc", c.cgroupParent());
    }

    @Test
    void shimFromEnvironmentWhenNotConfigured() {
        SupervisorConfig c = SupervisorConfig.parse("", BASE, Map.of("HOLDFAST_SHIM", "/env/holdfast-shim"), JAR_DIR,
                "");
        assertEquals(Path.of("/env/holdfast-shim"), c.shim());
    }

    @Test
    void relativePathsAreRelativeToTheConfigFile() {
        SupervisorConfig c = SupervisorConfig.parse("""
                [paths]
                run = "run"
                [supervisor]
                shim = "../bin/holdfast-shim"
                """, BASE, Map.of(), JAR_DIR, "");
        assertEquals(Path.of("/etc/holdfast/run"), c.run());
        assertEquals(Path.of("/etc/bin/holdfast-shim"), c.shim());
    }

    @Test
    void runcIsLookedUpInPath(@TempDir Path dir) throws IOException {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path runc = Files.createFile(bin.resolve("runc"));
        runc.toFile().setExecutable(true);
        SupervisorConfig c = SupervisorConfig.parse("", BASE, Map.of(), JAR_DIR, "/nonexistent:" + bin);
        assertEquals(runc, c.runc());
    }

    @Test
    void loadReadsTheFile(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("config.toml");
        Files.writeString(file, "[paths]\nrun = \"" + dir.resolve("r") + "\"\n");
        assertEquals(dir.resolve("r"), SupervisorConfig.load(file).run());
        assertThrows(java.nio.file.NoSuchFileException.class, () -> SupervisorConfig.load(dir.resolve("nope.toml")));
    }

    @Test
    void errorsAreReported() {
        assertThrows(IllegalArgumentException.class,
                () -> SupervisorConfig.parse("[paths\nrun=", BASE, Map.of(), JAR_DIR, ""));
        assertThrows(IllegalArgumentException.class,
                () -> SupervisorConfig.parse("[paths]\nrun = 3\n", BASE, Map.of(), JAR_DIR, ""));
        assertThrows(IllegalArgumentException.class,
                () -> SupervisorConfig.parse("[supervisor]\ncgroup_parent = \"x\"\n", BASE, Map.of(), JAR_DIR, ""));
    }
}
