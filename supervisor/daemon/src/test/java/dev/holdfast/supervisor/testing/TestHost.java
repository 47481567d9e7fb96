package dev.holdfast.supervisor.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.holdfast.supervisor.api.CreateTaskRequest;
import dev.holdfast.supervisor.bundle.ProcessDirectory;
import dev.holdfast.supervisor.config.SupervisorConfig;
import dev.holdfast.supervisor.proc.ProcFs;
import dev.holdfast.supervisor.shim.ShimPidFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * One test's private host state: {@code /tmp/hfs-XXXX} (short, for sun_path) with run/, a busybox rootfs, logs/,
 * a config.toml, and a cgroup parent {@code /holdfast-test-<random>}. {@link #close()} removes every trace: runc
 * containers, shims, cgroups and the directory.
 */
public final class TestHost implements AutoCloseable {
    public static final Path SHIM = Path.of(System.getProperty("holdfast.shim",
            "../../shim/target/holdfast-shim")).toAbsolutePath().normalize();
    public static final Path RUNC = Path.of(System.getProperty("holdfast.runc", "/usr/sbin/runc"));
    private static final Path CGROUP_FS = Path.of("/sys/fs/cgroup");

    public final Path dir;
    public final Path rootfs;
    public final Path logs;
    public final String cgroupParent;
    public final Path configFile;
    public final SupervisorConfig config;

    private TestHost(Path dir) throws IOException {
        this.dir = dir;
        this.rootfs = Rootfs.build(dir.resolve("rootfs"));
        this.logs = Files.createDirectories(dir.resolve("logs"));
        this.cgroupParent = "/holdfast-test-" + UUID.randomUUID().toString().substring(0, 8);
        this.configFile = dir.resolve("config.toml");
        Files.writeString(configFile, """
                [paths]
                run = "%s"

                [supervisor]
                shim = "%s"
                runc = "%s"
                cgroup_parent = "%s"
                """.formatted(dir.resolve("run"), SHIM, RUNC, cgroupParent));
        this.config = SupervisorConfig.load(configFile);
    }

    /** Fails the test unless we are root with runc, busybox and a built shim: a missing dependency is a broken setup. */
    public static TestHost create() throws IOException {
        assertTrue("root".equals(System.getProperty("user.name")), "integration tests need root");
        assertTrue(Files.isExecutable(RUNC), "no runc at " + RUNC);
        assertTrue(Files.isExecutable(Rootfs.BUSYBOX), "no " + Rootfs.BUSYBOX);
        assertTrue(Files.isExecutable(SHIM), "no shim at " + SHIM + " (build it: make -C shim)");
        return new TestHost(Files.createTempDirectory(Path.of("/tmp"), "hfs-"));
    }

    public String cgroupsPath(String id) {
        return cgroupParent + "/" + id;
    }

    public Path logPath(String id) {
        return logs.resolve(id + ".log");
    }

    public Path taskDir(String id) {
        return config.tasksDir().resolve(id);
    }

    public Path runcState(String id) {
        return config.runcRoot().resolve(id);
    }

    public CreateTaskRequest createRequest(String id, String... args) {
        return createRequest(id, Specs.spec(rootfs, cgroupsPath(id), List.of(args)));
    }

    public CreateTaskRequest createRequest(String id, byte[] spec) {
        return CreateTaskRequest.newBuilder()
                .setId(id)
                .setSpec(ByteString.copyFrom(spec))
                .setLogPath(logPath(id).toString())
                .build();
    }

    /** The live shim of task {@code id}, by its shim.pid. */
    public Optional<ShimPidFile> liveShim(String id) {
        try {
            ShimPidFile f = ShimPidFile.parse(Files.readString(taskDir(id).resolve("shim.pid")));
            return f.isLiveShimFor(id) ? Optional.of(f) : Optional.empty();
        } catch (IOException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** The live shim of exec {@code execId} of task {@code id}, by its shim.pid. */
    public Optional<ShimPidFile> liveExecShim(String id, String execId) {
        try {
            ShimPidFile f = ShimPidFile.parse(Files.readString(taskDir(id).resolve("execs").resolve(execId)
                    .resolve("shim.pid")));
            return f.isLiveShimFor(id, execId) ? Optional.of(f) : Optional.empty();
        } catch (IOException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private List<String> execIds(String id) throws IOException {
        Path execs = taskDir(id).resolve("execs");
        List<String> found = new ArrayList<>();
        if (Files.isDirectory(execs)) {
            try (DirectoryStream<Path> dirs = Files.newDirectoryStream(execs)) {
                dirs.forEach(d -> found.add(d.getFileName().toString()));
            }
        }
        return found;
    }

    /** True while {@code pid} is a live (non-zombie) process. */
    public static boolean alive(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String state = stat.substring(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
            return !state.equals("Z") && !state.equals("X");
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void close() throws IOException {
        List<String> problems = new ArrayList<>();
        // 1. Every container runc knows about: kill and delete.
        Path runcRoot = config.runcRoot();
        if (Files.isDirectory(runcRoot)) {
            try (DirectoryStream<Path> ids = Files.newDirectoryStream(runcRoot)) {
                for (Path p : ids) {
                    run(problems, RUNC.toString(), "--root", runcRoot.toString(), "delete", "--force",
                            p.getFileName().toString());
                }
            }
        }
        // 2. Every shim still alive: the tasks' and their execs' (an exec never started has a shim and nothing else).
        Path tasks = config.tasksDir();
        if (Files.isDirectory(tasks)) {
            try (DirectoryStream<Path> ids = Files.newDirectoryStream(tasks)) {
                for (Path p : ids) {
                    String id = p.getFileName().toString();
                    liveShim(id).ifPresent(s -> ProcessHandle.of(s.pid()).ifPresent(ProcessHandle::destroyForcibly));
                    for (String execId : execIds(id)) {
                        liveExecShim(id, execId).ifPresent(
                                s -> ProcessHandle.of(s.pid()).ifPresent(ProcessHandle::destroyForcibly));
                    }
                }
            }
        }
        // 2b. Any shim of ours not found above; one whose directory is gone is a leak the test should have caught.
        killStrayShims(problems);
        // 3. The cgroups under our parent, in every hierarchy, deepest first.
        removeCgroups(problems);
        // 4. The directory.
        ProcessDirectory.removeTree(dir);
        if (!problems.isEmpty()) {
            throw new IOException("cleanup: " + String.join("; ", problems));
        }
    }

    private void killStrayShims(List<String> problems) {
        String mine = dir + "/";
        ProcessHandle.allProcesses().forEach(p -> {
            List<String> args = ProcFs.cmdline(p.pid()).orElse(List.of());
            if (args.isEmpty() || !Path.of(args.get(0)).getFileName().toString().equals("holdfast-shim")
                    || args.stream().noneMatch(a -> a.startsWith(mine))) {
                return;
            }
            String home = option(args, "--state-dir") != null ? option(args, "--state-dir") : option(args, "--bundle");
            if (home != null && !Files.isDirectory(Path.of(home))) {
                problems.add("leaked shim " + p.pid() + ": " + String.join(" ", args));
            }
            p.destroyForcibly();
        });
    }

    private static String option(List<String> args, String name) {
        int i = args.indexOf(name);
        return i >= 0 && i + 1 < args.size() ? args.get(i + 1) : null;
    }

    private void removeCgroups(List<String> problems) throws IOException {
        List<Path> hierarchies;
        try (Stream<Path> s = Files.list(CGROUP_FS)) {
            hierarchies = s.filter(Files::isDirectory).toList();
        }
        List<Path> roots = new ArrayList<>();
        for (Path h : hierarchies) {
            roots.add(h.resolve(cgroupParent.substring(1)));
        }
        roots.add(CGROUP_FS.resolve(cgroupParent.substring(1)));
        for (Path root : roots) {
            if (!Files.isDirectory(root)) {
                continue;
            }
            List<Path> dirs;
            try (Stream<Path> s = Files.walk(root)) {
                dirs = s.filter(Files::isDirectory).sorted(Comparator.reverseOrder()).toList();
            }
            for (Path d : dirs) {
                long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
                while (true) {
                    try {
                        Files.delete(d);
                        break;
                    } catch (IOException e) {
                        killAll(d.resolve("cgroup.procs"));
                        if (System.nanoTime() > deadline) {
                            problems.add("cannot remove cgroup " + d + ": " + e);
                            break;
                        }
                        try {
                            Thread.sleep(10);
                        } catch (InterruptedException ie) {
                            Thread.currentThread().interrupt();
                            return;
                        }
                    }
                }
            }
        }
    }

    private static void killAll(Path procs) {
        try {
            for (String line : Files.readAllLines(procs)) {
                if (!line.isBlank()) {
                    ProcessHandle.of(Long.parseLong(line.strip())).ifPresent(ProcessHandle::destroyForcibly);
                }
            }
        } catch (IOException | NumberFormatException ignored) {
            // gone
        }
    }

    private static void run(List<String> problems, String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                problems.add(String.join(" ", cmd) + ": " + out.strip());
            }
        } catch (IOException | InterruptedException e) {
            problems.add(String.join(" ", cmd) + ": " + e);
        }
    }
}
