package dev.holdfast.supervisor.shim;

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
 * Spawns {@code holdfast-shim} for one task and reads the single line it prints (see docs/internals.md, "The shim").
 * The process we start forks the long-lived shim and exits; we reap it. The shim's stdin is /dev/null and its
 * stderr goes to a file in the task directory, so it holds nothing of ours once we are gone.
 */
public final class ShimLauncher {
    private final Path shim;
    private final Path runc;
    private final Path runcRoot;
    private final Duration timeout;

    /** What one launch needs; {@code logMaxSize} 0 means no rotation. */
    public record Launch(String id, Path bundle, Path socket, String logPath, boolean stdin, long logMaxSize,
            int logMaxFiles, Path stderrFile) {}

    public ShimLauncher(Path shim, Path runc, Path runcRoot, Duration timeout) {
        this.shim = shim;
        this.runc = runc;
        this.runcRoot = runcRoot;
        this.timeout = timeout;
    }

    public Path shim() {
        return shim;
    }

    /** The shim's command line. */
    public List<String> command(Launch l) {
        List<String> cmd = new ArrayList<>(List.of(shim.toString(),
                "--id", l.id(),
                "--bundle", l.bundle().toString(),
                "--socket", l.socket().toString(),
                "--log-path", l.logPath(),
                "--runc", runc.toString(),
                "--runc-root", runcRoot.toString()));
        if (l.stdin()) {
            cmd.add("--stdin");
        }
        if (l.logMaxSize() > 0) {
            cmd.addAll(List.of("--log-max-size", Long.toString(l.logMaxSize()),
                    "--log-max-files", Integer.toString(Math.max(1, l.logMaxFiles()))));
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
            if (reply instanceof ShimReply.Ok && p.exitValue() != 0) {
                throw new IOException("shim said ok but exited with status " + p.exitValue());
            }
            return reply;
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage() + " (exit status " + p.exitValue() + ")");
        }
    }
}
