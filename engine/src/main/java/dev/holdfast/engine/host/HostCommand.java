package dev.holdfast.engine.host;

import dev.holdfast.engine.errdefs.DomainException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs one host tool (netavark, unshare, umount, cp) to completion, with its stdin, and returns its stdout. */
public final class HostCommand {
    private static final long TIMEOUT_SECONDS = 60;

    private HostCommand() {}

    public record Result(int exitCode, String stdout, String stderr) {
        public boolean ok() {
            return exitCode == 0;
        }
    }

    /** @param what for the error message: which call on which container or network */
    public static Result run(List<String> command, byte[] stdin, String what) {
        Process process;
        try {
            process = new ProcessBuilder(command).start();
        } catch (IOException e) {
            throw DomainException.system(what + ": cannot run " + command.get(0) + ": " + e.getMessage(), e);
        }
        CompletableFuture<String> out = drain(process.getInputStream());
        CompletableFuture<String> err = drain(process.getErrorStream());
        try (var in = process.getOutputStream()) {
            in.write(stdin);
        } catch (IOException e) {
            // The tool exited before reading its input; its exit code and stderr tell why.
        }
        try {
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw DomainException.system(what + ": " + command.get(0) + " did not finish within "
                        + TIMEOUT_SECONDS + " s", null);
            }
            return new Result(process.exitValue(), out.join(), err.join());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw DomainException.system(what + ": interrupted", e);
        }
    }

    private static CompletableFuture<String> drain(InputStream stream) {
        CompletableFuture<String> text = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try (stream) {
                text.complete(new String(stream.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                text.complete("");
            }
        });
        return text;
    }
}
