package dev.holdfast.supervisor.runc;

import java.io.File;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The few runc invocations the supervisor makes itself (the shim runs create, start and kill --all). */
public final class Runc {
    private final Path runc;
    private final Path root;
    private final Duration timeout;

    public Runc(Path runc, Path root, Duration timeout) {
        this.runc = runc;
        this.root = root;
        this.timeout = timeout;
    }

    /**
     * {@code runc --root <root> delete --force <id>}: kills what is left of the container and removes its runc state
     * and cgroup. A container runc does not know is not an error.
     *
     * @throws IOException with runc's output when it fails
     */
    public void deleteForce(String id) throws IOException {
        run(List.of("delete", "--force", id));
    }

    private void run(List<String> args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(runc.toString(), "--root", root.toString()));
        cmd.addAll(args);
        Process p = new ProcessBuilder(cmd)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectErrorStream(true)
                .start();
        byte[] out;
        try {
            // runc's output is small; reading it to EOF also tells us it is done.
            out = p.getInputStream().readNBytes(64 * 1024);
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new InterruptedIOException(String.join(" ", cmd) + ": no exit within " + timeout.toSeconds() + "s");
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new InterruptedIOException(String.join(" ", cmd) + ": interrupted");
        }
        if (p.exitValue() != 0) {
            String text = new String(out, StandardCharsets.UTF_8).strip().replace('\n', ' ');
            throw new IOException("runc " + String.join(" ", args) + " failed (exit status " + p.exitValue() + ")"
                    + (text.isEmpty() ? "" : ": " + text));
        }
    }
}
