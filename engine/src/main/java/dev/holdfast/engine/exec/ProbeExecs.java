package dev.holdfast.engine.exec;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.holdfast.engine.api.Json;
import dev.holdfast.engine.container.Container;
import dev.holdfast.engine.container.ContainerEvents;
import dev.holdfast.engine.container.ContainerStore;
import dev.holdfast.engine.container.Signals;
import dev.holdfast.engine.errdefs.DomainException;
import dev.holdfast.engine.events.EventBus;
import dev.holdfast.engine.health.ProbeOutput;
import dev.holdfast.engine.health.ProbeRunner;
import dev.holdfast.engine.task.InteractiveTasks;
import dev.holdfast.engine.task.SupervisorException;
import dev.holdfast.supervisor.api.AttachOpen;
import dev.holdfast.supervisor.api.AttachOutput;
import dev.holdfast.supervisor.api.AttachRequest;
import dev.holdfast.supervisor.api.Task;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Health probes as execs through the supervisor, like {@code docker exec -d} with the output captured: the
 * container's user, working directory and environment, no tty, and dockerd's {@code exec_create}, {@code exec_start}
 * and {@code exec_die} events. The exec is deleted afterwards; probes are not kept as exec records.
 */
public final class ProbeExecs implements ProbeRunner {
    // How long the output of an exited probe may take to drain, and a killed probe to be reported stopped.
    private static final Duration DRAIN = Duration.ofSeconds(5);
    private static final Duration KILL_GRACE = Duration.ofSeconds(10);

    private final ContainerStore store;
    private final InteractiveTasks tasks;
    private final EventBus events;

    public ProbeExecs(ContainerStore store, InteractiveTasks tasks, EventBus events) {
        this.store = store;
        this.tasks = tasks;
        this.events = events;
    }

    @Override
    public Outcome run(String containerId, List<String> command, Duration timeout) {
        Container c = store.byId(containerId)
                .orElseThrow(() -> DomainException.notFound("No such container: " + containerId));
        ExecRecord exec = new ExecRecord(ExecRecord.newId(), c.id(), command, List.of(), null, null, false, false,
                true, true, "", false, false, false, null, 0);
        String commandLine = String.join(" ", command);
        tasks.createExec(c.id(), exec.id(), processJson(c, exec), false, false);
        try {
            publish(c, "exec_create: " + commandLine, Map.of("execID", exec.id()));
            OutputCapture capture = new OutputCapture();
            capture.open(c.id(), exec.id());
            try {
                tasks.start(c.id(), exec.id());
            } catch (SupervisorException e) {
                throw DomainException.system("OCI runtime exec failed: " + e.detail(), e);
            }
            publish(c, "exec_start: " + commandLine, Map.of("execID", exec.id()));
            Optional<Task> exited = tasks.awaitExit(c.id(), exec.id(), timeout);
            boolean timedOut = exited.isEmpty();
            if (timedOut) {
                tasks.kill(c.id(), exec.id(), Signals.SIGKILL);
                exited = tasks.awaitExit(c.id(), exec.id(), KILL_GRACE);
            }
            int exitCode = exited.map(t -> t.getExit().getExitCode()).orElse(128 + Signals.SIGKILL);
            publish(c, "exec_die", Map.of("execID", exec.id(), "exitCode", String.valueOf(exitCode)));
            capture.awaitEnd(DRAIN);
            String output = capture.output.toString();
            return timedOut ? Outcome.timedOut(timeout, output) : new Outcome(exitCode, output);
        } finally {
            tasks.deleteQuietly(c.id(), exec.id());
        }
    }

    private static byte[] processJson(Container c, ExecRecord exec) {
        try {
            return Json.MAPPER.writeValueAsBytes(ExecProcess.of(c, exec));
        } catch (JsonProcessingException e) {
            throw DomainException.system("encoding the health probe of container " + c.id() + ": " + e.getMessage(), e);
        }
    }

    private void publish(Container c, String action, Map<String, String> attributes) {
        events.publish(ContainerEvents.of(c, action, attributes));
    }

    /** The probe's stdout and stderr, through an Attach stream opened before the process starts. */
    private final class OutputCapture implements StreamObserver<AttachOutput> {
        private final ProbeOutput output = new ProbeOutput();
        private final CompletableFuture<Void> opened = new CompletableFuture<>();
        private final CompletableFuture<Void> ended = new CompletableFuture<>();

        void open(String id, String execId) {
            StreamObserver<AttachRequest> requests = tasks.attach(this);
            requests.onNext(AttachRequest.newBuilder().setOpen(AttachOpen.newBuilder().setId(id).setExecId(execId)
                    .setStdout(true).setStderr(true)).build());
            try {
                opened.get(DRAIN.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw DomainException.system("interrupted attaching to the health probe of container " + id, e);
            } catch (ExecutionException | TimeoutException e) {
                throw DomainException.unavailable("attaching to the health probe of container " + id + ": "
                        + e.getMessage(), e);
            }
        }

        void awaitEnd(Duration limit) {
            try {
                ended.get(limit.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException e) {
                // what arrived is the output; a stream that broke or lingers loses only the rest
            }
        }

        @Override
        public void onNext(AttachOutput value) {
            if (value.getStream() == AttachOutput.Stream.STREAM_UNKNOWN) {
                opened.complete(null);
            } else {
                output.append(value.getData().toByteArray());
            }
        }

        @Override
        public void onError(Throwable t) {
            opened.completeExceptionally(t);
            ended.complete(null);
        }

        @Override
        public void onCompleted() {
            opened.complete(null);
            ended.complete(null);
        }
    }
}
