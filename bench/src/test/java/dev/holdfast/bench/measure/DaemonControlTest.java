package dev.holdfast.bench.measure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.holdfast.bench.harness.Args;
import dev.holdfast.bench.harness.Procfs;
import dev.holdfast.bench.harness.UsageException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The two ways of taking a daemon down and back, on a sleep process standing in for the daemon. */
class DaemonControlTest {
    @TempDir
    Path dir;

    private Process sleeper;
    private long restarted = -1;

    @AfterEach
    void stopProcesses() {
        if (sleeper != null) {
            sleeper.destroyForcibly();
        }
        if (restarted > 0) {
            ProcessHandle.of(restarted).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    private Path sleeping(Path pidfile) throws IOException {
        sleeper = new ProcessBuilder("sleep", "600").directory(dir.toFile()).start();
        Files.createDirectories(pidfile.getParent());
        Files.writeString(pidfile, sleeper.pid() + "\n");
        return pidfile;
    }

    @Test
    void chosenByTheArguments() {
        Args args = new Args(new String[] {"--pidfile", "dockerd=/d/pid", "--log", "dockerd=/d/log",
            "--pidfile", "holdfast=/h/run/engine.pid", "--log", "holdfast=/w/ctl.log",
            "--ctl", "holdfast=/w/home/scripts/holdfast", "--root", "holdfast=/h"});
        assertInstanceOf(SameCommandLine.class, DaemonControl.of(args, "dockerd"));
        assertInstanceOf(HoldfastScript.class, DaemonControl.of(args, "holdfast"));
        assertThrows(UsageException.class, () -> DaemonControl.of(args, "other"));
        assertThrows(UsageException.class, () -> DaemonControl.of(new Args(new String[] {"--pidfile", "h=/p",
            "--log", "h=/l", "--ctl", "h=/s"}), "h"), "--ctl wants --root");
    }

    @Test
    void sameCommandLineKillsAndStartsTheSameCommandAgain() throws Exception {
        Path pidfile = sleeping(dir.resolve("daemon.pid"));
        SameCommandLine control = new SameCommandLine(pidfile, dir.resolve("daemon.log"));
        long old = control.pid();
        DaemonControl.Killed killed = control.kill();
        assertTrue(killed.t0() <= killed.t1());
        assertFalse(Procfs.alive(old));
        DaemonControl.Comeback back = control.startAgain();
        restarted = back.pid();
        assertFalse(Files.exists(pidfile), "the stale pid file is gone: the daemon writes its own");
        assertNotEquals(old, restarted);
        back.check();
        back.finish();
        Path cmdline = Path.of("/proc/" + restarted + "/cmdline");
        String sleep = String.join("\0", "sleep", "600", "");
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!Files.readString(cmdline).equals(sleep) && System.nanoTime() < deadline) {
            Thread.sleep(5); // setsid execs the command in place, a moment after the start
        }
        assertEquals(sleep, Files.readString(cmdline));
        assertEquals(dir.toRealPath(), Files.readSymbolicLink(Path.of("/proc/" + restarted + "/cwd")));
    }

    @Test
    void sameCommandLineRestartsWithSigterm() throws Exception {
        Path pidfile = sleeping(dir.resolve("daemon.pid"));
        SameCommandLine control = new SameCommandLine(pidfile, dir.resolve("daemon.log"));
        DaemonControl.Comeback back = control.restart();
        restarted = back.pid();
        assertEquals(143, sleeper.waitFor(), "ended by SIGTERM");
        assertTrue(Procfs.alive(restarted));
        assertThrows(IOException.class, control::kill, "its pid file is gone until the daemon writes one");
    }

    /** A stand-in for scripts/holdfast: kill kills the pid in ROOT/run/engine.pid, restart fails. */
    private Path script() throws IOException {
        Path script = dir.resolve("home/scripts/holdfast");
        Files.createDirectories(script.getParent());
        Files.writeString(script, """
                #!/bin/bash
                echo "args: $* home=$HOLDFAST_HOME skip=$HOLDFAST_SKIP_BUILD"
                case "$1 $2" in
                "engine kill") kill -9 "$(cat "$4/run/engine.pid")" ;;
                "engine restart") echo "holdfast: error: no new engine serves" >&2; exit 1 ;;
                esac
                """);
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        return script;
    }

    @Test
    void holdfastThroughItsScript() throws Exception {
        Path root = dir.resolve("root");
        Path pidfile = sleeping(root.resolve("run/engine.pid"));
        Path log = dir.resolve("ctl.log");
        HoldfastScript control = new HoldfastScript(script(), root, pidfile, log);
        long old = control.pid();
        DaemonControl.Killed killed = control.kill();
        assertTrue(killed.t0() <= killed.t1());
        assertFalse(Procfs.alive(old));
        assertEquals("--- scripts/holdfast engine kill\nargs: engine kill --root " + root + " home="
                + dir.resolve("home") + " skip=1\n", Files.readString(log));

        DaemonControl.Comeback back = control.startAgain();
        back.finish();
        back.check();
        assertEquals(-1, back.pid(), "the pid file names the killed engine");
        assertTrue(Files.readString(log).endsWith("--- scripts/holdfast engine start\nargs: engine start --root "
                + root + " home=" + dir.resolve("home") + " skip=1\n"));

        IllegalStateException e = assertThrows(IllegalStateException.class, control::restart);
        assertEquals("scripts/holdfast engine restart exited 1: holdfast: error: no new engine serves",
                e.getMessage());
    }
}
