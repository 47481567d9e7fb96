package dev.holdfast.supervisor.shim;

import dev.holdfast.supervisor.runc.Runc;
import dev.holdfast.supervisor.runc.TaskRuntimes;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Spawns {@code holdfast-shim} for one task or exec and reads the single line it prints (see docs/internals.md, "The shim").
 * The process we start forks the long-lived shim and exits; we reap it. The shim's stdin is /dev/null and its
 * stderr goes to a file in the task directory, so it holds nothing of ours once we are gone.
 */
public final class ShimLauncher {
    private final Path shim;
    private final TaskRuntimes runtimes;
    private final Duration timeout;

    /**
     * What one launch needs. {@code logPath} null means no log (exec mode only); {@code logMaxSize} 0 means no
     * rotation; {@code exec} null means container mode.
     */
    public record Launch(String id, Path bundle, Path socket, String logPath, boolean stdin, boolean tty,
            long logMaxSize, int logMaxFiles, Path stderrFile, Exec exec) {

        /** A container's shim: runs {@code runc create} before it reports. */
        public static Launch container(String id, Path bundle, Path socket, String logPath, boolean stdin,
                boolean tty, long logMaxSize, int logMaxFiles, Path stderrFile) {
            return new Launch(id, bundle, socket, logPath, stdin, tty, logMaxSize, logMaxFiles, stderrFile, null);
        }

        /** An exec's shim: reports at once, runs {@code runc exec} on {@code start}. Its output is not logged. */
        public static Launch exec(String id, Path bundle, Path socket, boolean stdin, boolean tty, Exec exec) {
            return new Launch(id, bundle, socket, null, stdin, tty, 0, 0, exec.stateDir().resolve("shim.stderr"),
                    exec);
        }
    }

    /** Exec mode: the exec id, the OCI process JSON file and the directory for the shim's files. */
    public record Exec(String execId, Path processFile, Path stateDir) {}

    /** @param runtimes which runtime binary and root each task's shims are given */
    public ShimLauncher(Path shim, TaskRuntimes runtimes, Duration timeout) {
        this.shim = shim;
        this.runtimes = runtimes;
        this.timeout = timeout;
    }

    public Path shim() {
        return shim;
    }

    /** The shim's command line. */
    public List<String> command(Launch l) {
        Runc runtime = runtimes.of(l.id());
        List<String> cmd = new ArrayList<>(List.of(shim.toString(),
                "--id", l.id(),
                "--bundle", l.bundle().toString(),
                "--socket", l.socket().toString(),
                "--runc", runtime.binary().toString(),
                "--runc-root", runtime.root().toString()));
        if (l.exec() != null) {
            cmd.addAll(List.of("--exec-id", l.exec().execId(),
                    "--process", l.exec().processFile().toString(),
                    "--state-dir", l.exec().stateDir().toString()));
        }
        if (l.logPath() != null) {
            cmd.addAll(List.of("--log-path", l.logPath()));
            if (l.logMaxSize() > 0) {
                cmd.addAll(List.of("--log-max-size", Long.toString(l.logMaxSize()),
                        "--log-max-files", Integer.toString(Math.max(1, l.logMaxFiles()))));
            }
        }
        if (l.stdin()) {
            cmd.add("--stdin");
        }
        if (l.tty()) {
            cmd.add("--tty");
        }
        return cmd;
    }

    /**
     * Runs the shim and returns what it reported.
     *
     * @throws IOException when the shim cannot be executed, prints something else, or says nothing within the
     *     timeout (it is then killed)
     */
    public ShimReply launch(Launch l) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command(l))
                .directory(l.bundle().toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectError(ProcessBuilder.Redirect.appendTo(l.stderrFile().toFile()));
        Process p = pb.start();
        long deadline = System.nanoTime() + timeout.toNanos();
        // Read on another thread: a broken shim could keep the pipe open forever without printing.
        CompletableFuture<String> firstLine = new CompletableFuture<>();
        Thread.ofVirtual().name("shim-launch-" + l.id()).start(() -> {
            try (BufferedReader out = new BufferedReader(
                    new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                firstLine.complete(out.readLine());
            } catch (IOException e) {
                firstLine.complete(null);
            }
        });
        String line;
        try {
            line = firstLine.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            if (!p.waitFor(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                throw new TimeoutException();
            }
        } catch (TimeoutException e) {
            p.destroyForcibly();
            throw new InterruptedIOException("shim did not report within " + timeout.toSeconds() + "s");
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for the shim");
        } catch (ExecutionException e) {
            throw new IOException(e.getCause());
        }
        if (line == null) {
            throw new IOException("shim exited with status " + p.exitValue() + " without reporting"
                    + "; see " + l.stderrFile());
        }
        try {
            ShimReply reply = ShimReply.parse(line);
            if (reply instanceof ShimReply.Ok ok) {
                if (p.exitValue() != 0) {
                    throw new IOException("shim said ok but exited with status " + p.exitValue());
                }
                if ((ok.pid() == 0) != (l.exec() != null)) {
                    throw new IOException("shim reported pid " + ok.pid() + " in "
                            + (l.exec() != null ? "exec" : "container") + " mode");
                }
            }
            return reply;
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage() + " (exit status " + p.exitValue() + ")");
        }
    }
}
