package dev.holdfast.supervisor.shim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.holdfast.supervisor.runc.Runc;
import dev.holdfast.supervisor.runc.TaskRuntimes;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ShimLauncherTest {
    // No task directory says otherwise: every task runs with the default runtime.
    private final ShimLauncher launcher = new ShimLauncher(Path.of("/bin/holdfast-shim"), new TaskRuntimes(
            Path.of("/nonexistent/tasks"), new Runc(Path.of("/sbin/runc"), Path.of("/run/h/runc"), Duration.ofSeconds(1)),
            Path.of("/run/h/runtimes"), Duration.ofSeconds(1)), Duration.ofSeconds(1));

    @Test
    void containerModeCommandLine() {
        var l = ShimLauncher.Launch.container("c1", Path.of("/b/c1"), Path.of("/run/h/shim/c1.sock"), "/logs/c1.log",
                true, true, 1000, 3, Path.of("/b/c1/shim.stderr"));
        assertEquals(List.of("/bin/holdfast-shim", "--id", "c1", "--bundle", "/b/c1", "--socket",
                "/run/h/shim/c1.sock", "--runc", "/sbin/runc", "--runc-root", "/run/h/runc", "--log-path",
                "/logs/c1.log", "--log-max-size", "1000", "--log-max-files", "3", "--stdin", "--tty"),
                launcher.command(l));
    }

    @Test
    void execModeCommandLineHasNoLog() {
        var l = ShimLauncher.Launch.exec("c1", Path.of("/b/c1"), Path.of("/run/h/shim/x.sock"), false, false,
                new ShimLauncher.Exec("e1", Path.of("/b/c1/execs/e1/process.json"), Path.of("/b/c1/execs/e1")));
        assertEquals(List.of("/bin/holdfast-shim", "--id", "c1", "--bundle", "/b/c1", "--socket",
                "/run/h/shim/x.sock", "--runc", "/sbin/runc", "--runc-root", "/run/h/runc", "--exec-id", "e1",
                "--process", "/b/c1/execs/e1/process.json", "--state-dir", "/b/c1/execs/e1"), launcher.command(l));
        assertEquals(Path.of("/b/c1/execs/e1/shim.stderr"), l.stderrFile());
    }
}
