package dev.holdfast.bench.measure;

import dev.holdfast.bench.harness.Errors;
import dev.holdfast.bench.harness.Procfs;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The holdfast engine, taken down and brought back with {@code scripts/holdfast engine kill|start|restart --root
 * DIR} as an operator would: whatever the script does (a socket holder that starts the next engine itself, a
 * handover on restart) is what gets measured. The script runs from the bench's copy of holdfast (HOLDFAST_HOME is
 * the directory above its scripts/), without building; its output is appended to the log.
 */
final class HoldfastScript implements DaemonControl {
    private static final long KILL_TIMEOUT_NANOS = 10_000_000_000L;
    private static final long SCRIPT_TIMEOUT_MS = 180_000;

    private final Path script;
    private final Path root;
    private final Path pidfile;
    private final Path log;

    HoldfastScript(Path script, Path root, Path pidfile, Path log) {
        this.script = script.toAbsolutePath();
        this.root = root;
        this.pidfile = pidfile;
        this.log = log;
    }

    @Override
    public long pid() throws IOException {
        return DaemonControl.readPid(pidfile);
    }

    /**
     * {@code engine kill}. The script's own start-up is not downtime: {@code t0} is when the engine is first seen
     * exiting (or gone), watched from before the script runs.
     */
    @Override
    public Killed kill() throws Exception {
        long pid = pid();
        if (!Procfs.alive(pid)) {
            throw new IllegalStateException("pid " + pid + " from " + pidfile + " is not running");
        }
        Run kill = new Run("engine", "kill");
        long start = System.nanoTime();
        long t0 = -1;
        while (Procfs.alive(pid)) {
            kill.checkNotFailed();
            if (t0 < 0 && !Procfs.aliveAndNotExiting(pid)) {
                t0 = System.nanoTime();
            }
            if (System.nanoTime() - start > KILL_TIMEOUT_NANOS) {
                kill.finish();
                throw new IllegalStateException("engine pid " + pid + " still running 10 s after engine kill");
            }
            LockSupport.parkNanos(200_000);
        }
        long t1 = System.nanoTime();
        kill.finish();
        return new Killed(t0 < 0 ? t1 : t0, t1);
    }

    /** {@code engine start}: starts the engine, or, where a holder has started it already, waits until it serves. */
    @Override
    public Comeback startAgain() throws IOException {
        return comeback(new Run("engine", "start"));
    }

    /** {@code engine restart}, to its end. */
    @Override
    public Comeback restart() throws Exception {
        Run restart = new Run("engine", "restart");
        restart.finish();
        return comeback(restart);
    }

    private Comeback comeback(Run run) {
        return new Comeback() {
            @Override
            public void check() {
                run.checkNotFailed();
            }

            @Override
            public long pid() {
                try {
                    long pid = HoldfastScript.this.pid();
                    return Procfs.alive(pid) ? pid : -1;
                } catch (IOException e) {
                    return -1;
                }
            }

            @Override
            public void finish() throws Exception {
                run.finish();
            }
        };
    }

    /** One run of the script, its output kept aside until it ends. */
    private final class Run {
        private final List<String> what;
        private final Path output;
        private final Process process;
        private boolean finished;

        Run(String... args) throws IOException {
            what = List.of(args);
            output = Files.createTempFile("bench-holdfast", ".log");
            ProcessBuilder pb = new ProcessBuilder(script.toString());
            pb.command().addAll(what);
            pb.command().addAll(List.of("--root", root.toString()));
            pb.environment().put("HOLDFAST_HOME", script.getParent().getParent().toString());
            pb.environment().put("HOLDFAST_SKIP_BUILD", "1");
            pb.environment().put("HOLDFAST_SKIP_PACKAGES", "1");
            pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(output.toFile()).redirectErrorStream(true);
            process = pb.start();
        }

        private String name() {
            return "scripts/holdfast " + String.join(" ", what);
        }

        /** Throws when the script has exited with an error. */
        void checkNotFailed() {
            if (!process.isAlive() && process.exitValue() != 0) {
                throw new IllegalStateException(name() + " exited " + process.exitValue() + ": " + lastLine());
            }
        }

        /** Waits for the script, appends its output to the log; throws when it failed or did not end. */
        synchronized void finish() throws IOException, InterruptedException {
            if (finished) {
                return;
            }
            finished = true;
            boolean ended = process.waitFor(SCRIPT_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            if (!ended) {
                process.destroyForcibly();
                process.waitFor();
            }
            String text = Files.readString(output);
            Files.writeString(log, "--- " + name() + "\n" + text, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
            Files.deleteIfExists(output);
            if (!ended) {
                throw new IllegalStateException(name() + " did not end within " + SCRIPT_TIMEOUT_MS / 1000 + " s");
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException(name() + " exited " + process.exitValue() + ": "
                        + Errors.oneLine(text));
            }
        }

        private String lastLine() {
            try {
                return Errors.oneLine(Files.readString(output));
            } catch (IOException e) {
                return "(its output is gone)";
            }
        }
    }
}
