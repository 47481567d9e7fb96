package dev.holdfast.engine.api;

import com.fasterxml.jackson.annotation.JsonAlias;
import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.holdfast.engine.container.Container;
import dev.holdfast.engine.container.ContainerConfig;
import dev.holdfast.engine.container.ContainerService;
import dev.holdfast.engine.container.ContainerStore;
import dev.holdfast.engine.exec.ExecProcess;
import dev.holdfast.engine.exec.ExecRecord;
import dev.holdfast.engine.exec.ExecStore;
import dev.holdfast.engine.exec.ExecTracker;
import dev.holdfast.engine.log.LogCursor;
import dev.holdfast.engine.log.LogFiles;
import dev.holdfast.engine.log.LogQuery;
import dev.holdfast.engine.log.LogReader;
import dev.holdfast.engine.log.LogSink;
import dev.holdfast.engine.task.InteractiveTasks;
import dev.holdfast.engine.task.SupervisorException;
import dev.holdfast.supervisor.api.AttachOpen;
import dev.holdfast.supervisor.api.Task;
import io.grpc.Status.Code;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/** attach, resize and exec: the interactive endpoints, all through the supervisor's Attach stream. */
public final class InteractiveRoutes {
    private final ContainerService service;
    private final ContainerStore store;
    private final InteractiveTasks tasks;
    private final ExecTracker tracker;
    private final ExecStore execs;

    public InteractiveRoutes(ContainerService service, InteractiveTasks tasks, ExecTracker tracker) {
        this.service = service;
        this.store = service.store();
        this.tasks = tasks;
        this.tracker = tracker;
        this.execs = tracker.store();
    }

    public void register(Router router) {
        router.post("/containers/{id}/attach", this::attach);
        router.post("/containers/{id}/resize", this::resize);
        router.post("/containers/{id}/exec", this::createExec);
        router.post("/exec/{id}/start", this::startExec);
        router.post("/exec/{id}/resize", this::resizeExec);
        router.get("/exec/{id}/json", this::inspectExec);
    }

    // ---- attach -------------------------------------------------------------------------------------------------

    /**
     * Live output and stdin through the supervisor; {@code logs=1} replays the log file first. A container that is
     * not running (foreground {@code docker run} attaches before it starts) is attached when its next run's task
     * exists; its start waits for the supervisor's acknowledgement, so no output is missed.
     */
    private Reply attach(ApiRequest r) throws IOException, InterruptedException {
        Container c = store.get(r.pathParam("id"));
        ContainerConfig config = c.record().config();
        boolean tty = config.tty();
        boolean stdin = r.queryBool("stdin") && config.openStdin();
        boolean stdout = r.queryBool("stdout");
        boolean stderr = r.queryBool("stderr");
        byte[] keys = AttachSession.parseDetachKeys(r.query("detachKeys").orElse(null));
        boolean stream = r.queryBool("stream");
        AttachOpen open = AttachOpen.newBuilder().setId(c.id()).setStdin(stdin).setStdout(stdout)
                .setStderr(stderr).setStdinOnce(config.stdinOnce()).build();
        // Only a stream opened now needs the supervisor now. A container not started yet is attached by its start,
        // which needs the supervisor anyway: refusing the attach while the supervisor is away would stop a docker
        // run --rm between its create and its start, leaving the container behind (scripts/chaos seed 102), where
        // the start would have failed and removed it, as dockerd does.
        if (stream && c.record().state().hasProcess()) {
            tasks.awaitReachable(c.id());
        }
        ResponseStream out;
        AttachSession session;
        Runnable hook = null;
        // The client sends its start as soon as it reads our 101: the hook that opens the attach before the start
        // must be in place by then, so the upgrade is answered under the container's lock (start takes it too).
        c.lock().lock();
        try {
            out = r.hijack(LogSink.contentType(tty, r.version()));
            session = new AttachSession(tasks, out, tty, open, keys);
            if (stream && !c.record().state().hasProcess()) {
                hook = () -> {
                    try {
                        session.open();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                };
                c.beforeNextStart(hook);
            }
        } finally {
            c.lock().unlock();
        }
        service.attached(c);
        if (r.queryBool("logs") && (stdout || stderr)) {
            replayLog(c, stdout, stderr, tty, out);
        }
        if (!stream) {
            out.close();
            return Reply.streamed();
        }
        if (hook == null) {
            session.open();
        }
        try {
            if (stdin) {
                session.pumpStdin(r.hijackedInput());
            }
            session.ended().join();
        } finally {
            if (hook != null) {
                c.cancelBeforeNextStart(hook);
            }
            out.close();
        }
        return Reply.streamed();
    }

    private static void replayLog(Container c, boolean stdout, boolean stderr, boolean tty, ResponseStream out)
            throws IOException, InterruptedException {
        LogQuery query = new LogQuery(stdout, stderr, null, null, -1, false, false);
        LogFiles files = new LogFiles(c.logPath());
        try (LogCursor cursor = LogCursor.atStart(files)) {
            synchronized (out) {
                new LogReader(files).copy(cursor, query, new LogSink(out, !tty, false),
                        CompletableFuture.completedFuture(null), out::isOpen);
            }
        } catch (IOException e) {
            if (out.isOpen()) {
                throw e;
            }
        }
    }

    private Reply resize(ApiRequest r) {
        Container c = store.get(r.pathParam("id"));
        if (!c.record().state().hasProcess()) {
            throw ApiException.conflict("Container " + c.id() + " is not running");
        }
        resizeTask(c.id(), "", r);
        return new Reply.Empty(HttpResponseStatus.OK);
    }

    private void resizeTask(String id, String execId, ApiRequest r) {
        int h = r.queryLong("h").orElse(0L).intValue();
        int w = r.queryLong("w").orElse(0L).intValue();
        if (h < 0 || w < 0) {
            throw ApiException.badRequest("invalid terminal size " + w + "x" + h);
        }
        try {
            tasks.resize(id, execId, w, h);
        } catch (SupervisorException e) {
            if (e.code() == Code.FAILED_PRECONDITION || e.code() == Code.NOT_FOUND) {
                throw ApiException.conflict(e.detail());
            }
            throw e;
        }
    }

    // ---- exec ---------------------------------------------------------------------------------------------------

    /** dockerd decodes field names case-insensitively: docker-py sends {@code detachKeys}. */
    @JsonNaming(PropertyNamingStrategies.UpperCamelCaseStrategy.class)
    @JsonIgnoreProperties(ignoreUnknown = true)
    record ExecConfig(
            @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY) List<String> cmd,
            List<String> env, String workingDir, String user, boolean tty, boolean attachStdin,
            boolean attachStdout, boolean attachStderr, @JsonAlias("detachKeys") String detachKeys,
            boolean privileged) {}

    /**
     * {@code Tty} says how the output is framed, as in dockerd: raw bytes when true, multiplexed frames otherwise,
     * whether or not the exec's process has a terminal (its create's {@code Tty}).
     */
    @JsonNaming(PropertyNamingStrategies.UpperCamelCaseStrategy.class)
    @JsonIgnoreProperties(ignoreUnknown = true)
    record ExecStartConfig(boolean detach, boolean tty) {}

    private Reply createExec(ApiRequest r) {
        Container c = store.get(r.pathParam("id"));
        ExecConfig config = r.bodyJson(ExecConfig.class);
        if (config.cmd() == null || config.cmd().isEmpty()) {
            throw ApiException.badRequest("No exec command specified");
        }
        if (config.detachKeys() != null) {
            AttachSession.parseDetachKeys(config.detachKeys());
        }
        if (!c.record().state().hasProcess()) {
            throw ApiException.conflict("container " + c.id() + " is not running");
        }
        if (c.record().state().paused()) {
            throw ApiException.conflict("container " + c.id() + " is paused, unpause the container before exec");
        }
        String id = ExecRecord.newId();
        ExecRecord record = new ExecRecord(id, c.id(), List.copyOf(config.cmd()),
                config.env() == null ? List.of() : List.copyOf(config.env()), config.workingDir(), config.user(),
                config.tty(), config.attachStdin(), config.attachStdout(), config.attachStderr(),
                config.detachKeys(), config.privileged(), false, false, null, 0);
        execs.save(c.dir(), record);
        return Reply.created(Map.of("Id", id));
    }

    private ExecRecord exec(String id) {
        return execs.get(id, store.all().stream().map(Container::dir))
                .orElseThrow(() -> ApiException.notFound("No such exec instance: " + id));
    }

    private Reply startExec(ApiRequest r) throws IOException, InterruptedException {
        ExecRecord exec = exec(r.pathParam("id"));
        // No body is Docker's defaults (attached, no terminal): dockerd's ReadJSON takes an empty body as valid.
        ExecStartConfig start = Optional.ofNullable(r.bodyJson(ExecStartConfig.class))
                .orElse(new ExecStartConfig(false, false));
        Container c = store.get(exec.containerId());
        synchronized (exec.id().intern()) {
            ExecRecord current = exec(exec.id());
            if (current.started()) {
                throw ApiException.conflict("Error: Exec command " + exec.id() + " has already run");
            }
            if (!c.record().state().hasProcess()) {
                throw ApiException.conflict("container " + c.id() + " is not running");
            }
            execs.save(c.dir(), current.startedWith(0));
        }
        byte[] process = Json.MAPPER.writeValueAsBytes(ExecProcess.of(c, exec));
        try {
            tasks.createExec(c.id(), exec.id(), process, exec.attachStdin() && !start.detach(), exec.tty());
        } catch (SupervisorException e) {
            execs.save(c.dir(), exec.exited(126));
            if (e.code() == Code.FAILED_PRECONDITION || e.code() == Code.NOT_FOUND) {
                throw ApiException.conflict("container " + c.id() + " is not running");
            }
            throw e;
        }
        if (start.detach()) {
            runExec(c, exec, null, false);
            return new Reply.Empty(HttpResponseStatus.OK);
        }
        boolean raw = start.tty();
        ResponseStream out = r.hijack(LogSink.contentType(raw, r.version()));
        AttachOpen open = AttachOpen.newBuilder().setId(c.id()).setExecId(exec.id()).setStdin(exec.attachStdin())
                .setStdout(exec.attachStdout()).setStderr(exec.attachStderr()).setStdinOnce(true).build();
        AttachSession session = new AttachSession(tasks, out, raw, open,
                AttachSession.parseDetachKeys(exec.detachKeys()));
        session.open();
        if (exec.attachStdin()) {
            session.pumpStdin(r.hijackedInput());
        }
        if (!runExec(c, exec, out, raw)) {
            session.finish(AttachSession.End.FAILED);
        }
        session.ended().join();
        tracker.refresh(exec(exec.id()));
        out.close();
        return Reply.streamed();
    }

    /**
     * Starts the exec's process; a failed start is exit code 126 (as dockerd's exec, also for a command that is not
     * found, where a container's own start gives 127) and, when attached, its error output ({@code raw}: not
     * framed).
     */
    private boolean runExec(Container c, ExecRecord exec, ResponseStream out, boolean raw) {
        try {
            Task task = tasks.start(c.id(), exec.id());
            execs.save(c.dir(), exec(exec.id()).startedWith(task.getPid()));
            return true;
        } catch (SupervisorException e) {
            execs.save(c.dir(), exec.exited(126));
            if (out != null) {
                byte[] message = ("OCI runtime exec failed: " + e.detail() + "\r\n").getBytes(StandardCharsets.UTF_8);
                try {
                    synchronized (out) {
                        if (!raw) {
                            out.write(new byte[] {1, 0, 0, 0, 0, 0, (byte) (message.length >>> 8),
                                    (byte) message.length});
                        }
                        out.write(message);
                    }
                } catch (IOException ignored) {
                    // the client left
                }
                return false;
            }
            throw ApiException.conflict(e.detail());
        }
    }

    private Reply resizeExec(ApiRequest r) {
        ExecRecord exec = exec(r.pathParam("id"));
        resizeTask(exec.containerId(), exec.id(), r);
        return new Reply.Empty(HttpResponseStatus.OK);
    }

    private Reply inspectExec(ApiRequest r) {
        ExecRecord exec = tracker.refresh(exec(r.pathParam("id")));
        Map<String, Object> processConfig = new LinkedHashMap<>();
        processConfig.put("tty", exec.tty());
        processConfig.put("entrypoint", exec.cmd().get(0));
        processConfig.put("arguments", exec.cmd().subList(1, exec.cmd().size()));
        processConfig.put("privileged", exec.privileged());
        processConfig.put("user", exec.user() == null ? "" : exec.user());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("CanRemove", false);
        body.put("ContainerID", exec.containerId());
        body.put("DetachKeys", exec.detachKeys() == null ? "" : exec.detachKeys());
        body.put("ExitCode", exec.exitCode());
        body.put("ID", exec.id());
        body.put("OpenStderr", exec.attachStderr());
        body.put("OpenStdin", exec.attachStdin());
        body.put("OpenStdout", exec.attachStdout());
        body.put("ProcessConfig", processConfig);
        body.put("Running", exec.running());
        body.put("Pid", exec.pid());
        return Reply.ok(body);
    }
}
