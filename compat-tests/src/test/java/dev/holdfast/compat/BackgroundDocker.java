package dev.holdfast.compat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A docker CLI command left running in the background ({@code docker logs -f}, {@code docker wait}), whose output can
 * be read while it runs. {@link #close()} kills it if it is still running.
 */
final class BackgroundDocker implements AutoCloseable {

    private final List<String> command;
    private final Process process;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final Thread outPump;
    private final Thread errPump;

    private BackgroundDocker(List<String> command, Process process) {
        this.command = command;
        this.process = process;
        this.outPump = pump(process.getInputStream(), out);
        this.errPump = pump(process.getErrorStream(), err);
    }

    static BackgroundDocker start(HoldfastDaemon holdfast, String... args) {
        List<String> command = new ArrayList<>();
        command.add(System.getProperty("holdfast.docker", "docker"));
        command.addAll(Arrays.asList(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().put("DOCKER_HOST", holdfast.dockerHost());
        builder.environment().put("DOCKER_CLI_HINTS", "false");
        builder.redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        try {
            return new BackgroundDocker(command, builder.start());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command, e);
        }
    }

    private static Thread pump(InputStream in, ByteArrayOutputStream sink) {
        return Thread.ofPlatform().daemon().name("docker-output").start(() -> {
            byte[] chunk = new byte[8192];
            try (in) {
                int n;
                while ((n = in.read(chunk)) >= 0) {
                    synchronized (sink) {
                        sink.write(chunk, 0, n);
                    }
                }
            } catch (IOException ignored) {
                // killed
            }
        });
    }

    /** What it printed on stdout so far. */
    String stdout() {
        synchronized (out) {
            return out.toString(StandardCharsets.UTF_8);
        }
    }

    String stderr() {
        synchronized (err) {
            return err.toString(StandardCharsets.UTF_8);
        }
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** The CLI's pid, to signal it ({@code kill -TERM}) as a shell would. */
    long pid() {
        return process.pid();
    }

    /** Waits for the command to end on its own; fails (and kills it) when it is still running after {@code timeout}. */
    DockerResult awaitExit(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                close();
                throw new AssertionError("still running after " + timeout + ": " + String.join(" ", command)
                        + "\n--- stdout ---\n" + stdout() + "\n--- stderr ---\n" + stderr());
            }
            outPump.join(Duration.ofSeconds(10));
            errPump.join(Duration.ofSeconds(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
        return new DockerResult(process.exitValue(), stdout(), stderr(), command);
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
    }

    @Override
    public String toString() {
        return String.join(" ", command) + (process.isAlive() ? " (running)" : " -> exit " + process.exitValue())
                + "\n--- stdout ---\n" + stdout() + "\n--- stderr ---\n" + stderr();
    }
}
