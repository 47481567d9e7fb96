package dev.holdfast.supervisor.runc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.holdfast.supervisor.bundle.AtomicFiles;
import dev.holdfast.supervisor.task.TaskId;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

/**
 * Which OCI runtime runs each task: the supervisor's runc unless the task's create named another (a binary with
 * runc's command line, such as crun). The choice is kept in the task directory ({@code runtime.json}:
 * {@code {"name":"crun","path":"/usr/bin/crun"}}), so every later call on the task and its execs, also by a
 * supervisor restarted meanwhile, uses the same binary and state directory. Each runtime has its own state
 * directory ({@code --root}): runc's is {@code <run>/runc}, another's {@code <run>/runtimes/<name>}.
 */
public final class TaskRuntimes {
    private static final Logger LOG = Logger.getLogger(TaskRuntimes.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();
    public static final String DEFAULT_NAME = "runc";
    static final String FILE = "runtime.json";

    private final Path tasksDir;
    private final Runc runc;
    private final Path runtimesDir;
    private final Duration timeout;
    private final Map<String, Runc> byTask = new ConcurrentHashMap<>();

    /**
     * @param runc the default runtime
     * @param runtimesDir where the other runtimes' state directories go
     */
    public TaskRuntimes(Path tasksDir, Runc runc, Path runtimesDir, Duration timeout) {
        this.tasksDir = tasksDir;
        this.runc = runc;
        this.runtimesDir = runtimesDir;
        this.timeout = timeout;
    }

    /** The runtime of task {@code id}: as recorded in its directory, else the default. */
    public Runc of(String id) {
        return byTask.computeIfAbsent(id, this::read);
    }

    /**
     * Chooses the runtime of a task being created ({@code name} empty: the default) and records it in the task
     * directory {@code dir}.
     *
     * @throws IllegalArgumentException for a bad name or path
     */
    public Runc choose(String id, Path dir, String name, String path) throws IOException {
        if (name.isEmpty() && path.isEmpty()) {
            byTask.put(id, runc);
            return runc;
        }
        Runc chosen = runtime(name, path);
        AtomicFiles.write(dir.resolve(FILE), JSON.writeValueAsBytes(Map.of("name", name, "path", path)));
        byTask.put(id, chosen);
        return chosen;
    }

    /** The task is gone. */
    public void forget(String id) {
        byTask.remove(id);
    }

    private Runc read(String id) {
        Path file = tasksDir.resolve(id).resolve(FILE);
        try {
            JsonNode node = JSON.readTree(Files.readAllBytes(file));
            return runtime(node.path("name").asText(""), node.path("path").asText(""));
        } catch (NoSuchFileException e) {
            return runc;
        } catch (IOException | IllegalArgumentException e) {
            LOG.warning("task " + id + ": unreadable " + file + " (" + e.getMessage() + "); using runc");
            return runc;
        }
    }

    private Runc runtime(String name, String path) {
        if (!TaskId.isValid(name)) {
            throw new IllegalArgumentException("runtime name \"" + name
                    + "\" must match [a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}");
        }
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("runtime " + name + ": path \"" + path + "\" is not absolute");
        }
        Path root = name.equals(DEFAULT_NAME) ? runc.root() : runtimesDir.resolve(name);
        return new Runc(Path.of(path), root, timeout);
    }
}
