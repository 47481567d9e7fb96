package dev.holdfast.bench.measure;

import dev.holdfast.bench.harness.Procfs;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

/**
 * A daemon the bench stops and starts itself (dockerd): its argv, environment and cwd are read from /proc before it
 * goes, and the very same command line is started again under setsid, its output appended to the log. The daemon
 * writes its own pid file and refuses to start while a stale one names a pid that exists: the bench removes it.
 */
final class SameCommandLine implements DaemonControl {
    /** How long a SIGTERM may take (dockerd's default shutdown timeout is 15 s). */
    private static final long STOP_TIMEOUT_NANOS = 60_000_000_000L;
    private static final long KILL_TIMEOUT_NANOS = 10_000_000_000L;

    private final Path pidfile;
    private final Path log;
    private Launch launch;

    SameCommandLine(Path pidfile, Path log) {
        this.pidfile = pidfile;
        this.log = log;
    }

    /** How the daemon was started. */
    private record Launch(List<String> argv, Map<String, String> env, Path cwd) {
        static Launch of(long pid) throws IOException {
            List<String> argv = splitNul(Files.readAllBytes(Path.of("/proc/" + pid + "/cmdline")));
            Map<String, String> env = new LinkedHashMap<>();
            for (String kv : splitNul(Files.readAllBytes(Path.of("/proc/" + pid + "/environ")))) {
                int eq = kv.indexOf('=');
                if (eq > 0) {
                    env.put(kv.substring(0, eq), kv.substring(eq + 1));
                }
            }
            return new Launch(argv, env, Files.readSymbolicLink(Path.of("/proc/" + pid + "/cwd")));
        }
    }

    @Override
    public long pid() throws IOException {
        return DaemonControl.readPid(pidfile);
    }

    @Override
    public Killed kill() throws Exception {
        long pid = running();
        long t0 = System.nanoTime();
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly); // SIGKILL
        long t1 = awaitGone(pid, t0, KILL_TIMEOUT_NANOS, "SIGKILL");
        return new Killed(t0, t1);
    }

    @Override
    public Comeback startAgain() throws IOException {
        Files.deleteIfExists(pidfile);
        List<String> argv = new ArrayList<>();
        argv.add("setsid");
        argv.addAll(launch.argv());
        ProcessBuilder pb = new ProcessBuilder(argv).directory(launch.cwd().toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectErrorStream(true);
        pb.environment().clear();
        pb.environment().putAll(launch.env());
        Process p = pb.start();
        return new Comeback() {
            @Override
            public void check() {
                if (!p.isAlive()) {
                    throw new IllegalStateException("the restarted daemon exited with " + p.exitValue() + " (see "
                            + log + ")");
                }
            }

            @Override
            public long pid() {
                return p.pid(); // setsid execs the daemon in place (the bench is no process group leader)
            }

            @Override
            public void finish() {
                check();
            }
        };
    }

    /** SIGTERM, as {@code systemctl restart docker} would (with --live-restore the containers keep running). */
    @Override
    public Comeback restart() throws Exception {
        long pid = running();
        long t0 = System.nanoTime();
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroy); // SIGTERM
        awaitGone(pid, t0, STOP_TIMEOUT_NANOS, "SIGTERM");
        return startAgain();
    }

    /** The daemon's pid, its command line noted for {@link #startAgain}. */
    private long running() throws IOException {
        long pid = pid();
        if (!Procfs.alive(pid)) {
            throw new IllegalStateException("pid " + pid + " from " + pidfile + " is not running");
        }
        launch = Launch.of(pid);
        return pid;
    }

    private static long awaitGone(long pid, long since, long timeoutNanos, String signal) {
        while (Procfs.alive(pid)) {
            if (System.nanoTime() - since > timeoutNanos) {
                throw new IllegalStateException("pid " + pid + " survived " + signal + " for " + timeoutNanos
                        / 1_000_000_000L + " s");
            }
            LockSupport.parkNanos(200_000);
        }
        return System.nanoTime();
    }

    private static List<String> splitNul(byte[] b) {
        List<String> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < b.length; i++) {
            if (b[i] == 0) {
                out.add(new String(b, start, i - start, StandardCharsets.UTF_8));
                start = i + 1;
            }
        }
        if (start < b.length) {
            out.add(new String(b, start, b.length - start, StandardCharsets.UTF_8));
        }
        return out;
    }
}
