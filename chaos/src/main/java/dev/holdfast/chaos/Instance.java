package dev.holdfast.chaos;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.stream.Stream;

/**
 * The holdfast instance under test, seen from outside: its processes (found through their pid files and
 * /proc), signals to them, and {@code scripts/holdfast ... --root DIR}. Nothing of the engine's internals.
 */
final class Instance {

    private static final Duration SCRIPT_TIMEOUT = Duration.ofMinutes(3);

    private final Path home;
    private final Path root;
    /** What the command lines of this instance's shims and runcs contain: its run directory. */
    private final String runMarker;

    Instance(Path home, Path root) {
        this.home = home.toAbsolutePath().normalize();
        this.root = root.toAbsolutePath().normalize();
        this.runMarker = this.root.resolve("run") + "/";
    }

    Path root() {
        return root;
    }

    /** {@code scripts/holdfast ARGS... --root ROOT}, the jars as they are (no build). */
    CommandResult script(String... args) {
        List<String> command = new ArrayList<>();
        command.add(home.resolve("scripts/holdfast").toString());
        command.addAll(List.of(args));
        command.add("--root");
        command.add(root.toString());
        return Commands.run(command, Map.of("HOLDFAST_SKIP_BUILD", "1", "HOLDFAST_SKIP_PACKAGES", "1"),
                SCRIPT_TIMEOUT);
    }

    /**
     * The daemon ({@code engine} or {@code supervisor}) named in {@code run/NAME.pid}, when that pid is still this
     * instance's daemon. A pid file outlives its daemon, and pids are reused within a minute on a busy host (seed
     * 102 saw 13000 in 77 s): without the check a kill fault could SIGKILL any process that took the pid over.
     */
    OptionalLong daemonPid(String name) {
        try {
            String text = Files.readString(root.resolve("run").resolve(name + ".pid")).strip();
            long pid = Long.parseLong(text.lines().findFirst().orElse(""));
            return alive(pid) && isDaemon(commandLine(pid), name) ? OptionalLong.of(pid) : OptionalLong.empty();
        } catch (IOException | NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    /** A java command line running {@code holdfast-NAME.jar} with this instance's config (not its holder's). */
    private boolean isDaemon(List<String> argv, String name) {
        int config = argv.indexOf("--config");
        return !argv.isEmpty() && !argv.getFirst().endsWith("holdfast-holder")
                && argv.stream().anyMatch(a -> a.endsWith("holdfast-" + name + ".jar"))
                && config >= 0 && config + 1 < argv.size()
                && argv.get(config + 1).equals(root.resolve("config.toml").toString());
    }

    /** The live processes of this instance whose program is {@code binary} (holdfast-shim, runc), by pid. */
    List<Long> processes(String binary) {
        List<Long> pids = new ArrayList<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            procs.map(p -> p.getFileName().toString()).filter(n -> n.chars().allMatch(Character::isDigit))
                    .forEach(n -> {
                        List<String> argv = commandLine(Long.parseLong(n));
                        if (!argv.isEmpty() && Path.of(argv.getFirst()).getFileName().toString().equals(binary)
                                && String.join(" ", argv).contains(runMarker)) {
                            pids.add(Long.parseLong(n));
                        }
                    });
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot list /proc", e);
        }
        pids.sort(null);
        return pids;
    }

    private static List<String> commandLine(long pid) {
        try {
            byte[] raw = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"));
            String text = new String(raw, StandardCharsets.UTF_8);
            return text.isEmpty() ? List.of() : List.of(text.split("\0"));
        } catch (IOException e) {
            return List.of(); // gone meanwhile
        }
    }

    /** The process exists and is not a zombie. */
    static boolean alive(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // the state follows the command name in parentheses, which may itself hold spaces and parentheses
            String state = stat.substring(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
            return !state.equals("Z") && !state.equals("X");
        } catch (IOException | StringIndexOutOfBoundsException e) {
            return false;
        }
    }

    /** kill -SIGNAL PID; true when the signal was sent. */
    static boolean signal(long pid, String signal) {
        return Commands.run(List.of("kill", "-" + signal, Long.toString(pid)), Map.of(), Duration.ofSeconds(10))
                .ok();
    }

    /** Waits until {@code holdfast status} says both daemons are up; false when they are not after {@code limit}. */
    boolean awaitUp(Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            if (script("status").ok()) {
                return true;
            }
            Thread.sleep(250);
        }
        return false;
    }

    /** The supervisor's tasks ({@code holdfast ctl tasks ls}): container id to status (RUNNING, STOPPED, ...). */
    Map<String, String> tasks() {
        CommandResult ls = script("ctl", "tasks", "ls");
        if (!ls.ok()) {
            throw new IllegalStateException("holdfast ctl tasks ls failed: " + ls.firstLine());
        }
        Map<String, String> tasks = new HashMap<>();
        ls.out().lines().skip(1).map(String::strip).filter(l -> !l.isEmpty()).forEach(l -> {
            String[] f = l.split("\\s+");
            if (f.length >= 3) {
                tasks.put(f[0], f[2]);
            }
        });
        return tasks;
    }
}
