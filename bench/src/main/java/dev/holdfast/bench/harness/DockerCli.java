package dev.holdfast.bench.harness;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The docker CLI, run against a target. */
public final class DockerCli {
    private DockerCli() {}

    /** A docker CLI call's outcome. */
    public record Result(int exit, long nanos, String stderr) {}

    /** Runs the docker CLI against a target; stdout is discarded, stderr kept for error messages. */
    public static Result run(String dockerCli, Target t, long timeoutMs, String... args) throws IOException,
            InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(dockerCli);
        cmd.addAll(Arrays.asList(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("DOCKER_HOST", t.dockerHost());
        pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        Path err = Files.createTempFile("bench-cli", ".err");
        pb.redirectError(err.toFile());
        try {
            long t0 = System.nanoTime();
            Process p = pb.start();
            if (!p.waitFor(timeoutMs, TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                p.waitFor();
                return new Result(-1, System.nanoTime() - t0, "docker " + String.join(" ", args)
                        + ": no exit within " + timeoutMs + " ms");
            }
            long dt = System.nanoTime() - t0;
            return new Result(p.exitValue(), dt, Files.readString(err));
        } finally {
            Files.deleteIfExists(err);
        }
    }
}
