package dev.holdfast.supervisor.runc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
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
 * The runc invocations the supervisor makes itself (the shim runs create, start, exec and kill --all). Every call
 * runs {@code runc --root <root> --log-format json ...}; a non-zero exit becomes a {@link RuncException} carrying
 * runc's own error message.
 */
public final class Runc {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_OUTPUT = 4 * 1024 * 1024;
    private static final int MAX_ERROR_OUTPUT = 64 * 1024;

    private final Path runc;
    private final Path root;
    private final Duration timeout;

    public Runc(Path runc, Path root, Duration timeout) {
        this.runc = runc;
        this.root = root;
        this.timeout = timeout;
    }

    /** The runtime's binary. */
    public Path binary() {
        return runc;
    }

    /** Its state directory ({@code --root}). */
    public Path root() {
        return root;
    }

    /**
     * {@code runc delete --force <id>}: kills what is left of the container and removes its runc state and cgroup.
     * A container runc does not know is not an error.
     *
     * @throws IOException with runc's output when it fails
     */
    public void deleteForce(String id) throws IOException {
        run(List.of("delete", "--force", id), null);
    }

    /** {@code runc pause <id>}: freezes every process of the container. */
    public void pause(String id) throws IOException {
        run(List.of("pause", id), null);
    }

    /** {@code runc resume <id>}: thaws a paused container. */
    public void resume(String id) throws IOException {
        run(List.of("resume", id), null);
    }

    /** {@code runc state <id>}'s {@code status}: created, running, paused or stopped. */
    public String status(String id) throws IOException {
        byte[] out = run(List.of("state", id), null);
        JsonNode status = parseJson("state", out).path("status");
        if (!status.isTextual()) {
            throw new IOException("runc state " + id + ": no status in " + abbreviate(out));
        }
        return status.asText();
    }

    /** {@code runc ps --format json <id>}: the host pids of every process in the container's cgroup. */
    public List<Integer> pids(String id) throws IOException {
        byte[] out = run(List.of("ps", "--format", "json", id), null);
        JsonNode list = parseJson("ps", out);
        if (list.isNull()) {
            return List.of();
        }
        if (!list.isArray()) {
            throw new IOException("runc ps " + id + ": expected a JSON array, got " + abbreviate(out));
        }
        List<Integer> pids = new ArrayList<>(list.size());
        for (JsonNode n : list) {
            if (!n.canConvertToInt()) {
                throw new IOException("runc ps " + id + ": not a pid: " + n);
            }
            pids.add(n.asInt());
        }
        return pids;
    }

    /**
     * {@code runc events --stats <id>}: one sample of the container's resource usage. Returns the event's
     * {@code data} object (cpu, memory, pids, blkio, ...) as JSON.
     */
    public byte[] stats(String id) throws IOException {
        byte[] out = run(List.of("events", "--stats", id), null);
        JsonNode data = parseJson("events --stats", out).get("data");
        if (data == null || !data.isObject()) {
            throw new IOException("runc events --stats " + id + ": no data object in " + abbreviate(out));
        }
        return JSON.writeValueAsBytes(data);
    }

    /** {@code runc update --resources - <id>} with {@code resources} (an OCI LinuxResources JSON) on stdin. */
    public void update(String id, byte[] resources) throws IOException {
        run(List.of("update", "--resources", "-", id), resources);
    }

    /**
     * Runs runc with {@code args}, feeding {@code stdin} (null: /dev/null), and returns its stdout.
     *
     * @throws RuncException when runc exits non-zero
     * @throws IOException when it cannot be run or does not finish within the timeout
     */
    private byte[] run(List<String> args, byte[] stdin) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(runc.toString(), "--root", root.toString(), "--log-format", "json"));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd);
        if (stdin == null) {
            pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        }
        Process p = pb.start();
        String what = "runc " + String.join(" ", args);
        try {
            // stderr on its own thread, so neither pipe can fill up and stall runc.
            CompletableFuture<byte[]> err = new CompletableFuture<>();
            Thread.ofVirtual().name("runc-stderr").start(() -> {
                try {
                    err.complete(p.getErrorStream().readNBytes(MAX_ERROR_OUTPUT));
                    p.getErrorStream().transferTo(OutputStream.nullOutputStream());
                } catch (IOException e) {
                    err.complete(new byte[0]);
                }
            });
            if (stdin != null) {
                try (OutputStream in = p.getOutputStream()) {
                    in.write(stdin);
                } catch (IOException e) {
                    // runc exited without reading all of it: its exit status and message tell why.
                }
            }
            byte[] out = p.getInputStream().readNBytes(MAX_OUTPUT);
            p.getInputStream().transferTo(OutputStream.nullOutputStream());
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new InterruptedIOException(what + ": no exit within " + timeout.toSeconds() + "s");
            }
            byte[] errText = err.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (p.exitValue() != 0) {
                throw new RuncException(what, p.exitValue(), RuncErrors.message(errText, out));
            }
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException(what + ": interrupted");
        } catch (ExecutionException | TimeoutException e) {
            throw new InterruptedIOException(what + ": stderr not closed within " + timeout.toSeconds() + "s");
        } finally {
            if (p.isAlive()) {
                p.destroyForcibly();
            }
        }
    }

    private static JsonNode parseJson(String what, byte[] out) throws IOException {
        try {
            JsonNode node = JSON.readTree(out);
            if (node == null) {
                throw new IOException("runc " + what + " printed nothing");
            }
            return node;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IOException("runc " + what + " printed something else than JSON: " + abbreviate(out));
        }
    }

    private static String abbreviate(byte[] out) {
        String s = new String(out, StandardCharsets.UTF_8).strip();
        return s.length() <= 200 ? s : s.substring(0, 200) + "...";
    }
}
