package dev.holdfast.engine.container;

import dev.holdfast.engine.api.ApiException;
import dev.holdfast.engine.api.Json;
import dev.holdfast.engine.errdefs.DomainException;
import dev.holdfast.engine.events.EventBus;
import dev.holdfast.engine.host.MountTable;
import dev.holdfast.engine.image.Image;
import dev.holdfast.engine.log.LogRotation;
import dev.holdfast.engine.spec.BindMount;
import dev.holdfast.engine.spec.EtcFiles;
import dev.holdfast.engine.spec.OciSpecBuilder;
import dev.holdfast.engine.task.SupervisorException;
import dev.holdfast.engine.task.TaskClient;
import dev.holdfast.supervisor.api.Task;
import io.grpc.Status;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * The container lifecycle: create, start, stop, kill, wait, remove, and what follows an exit (restart policy,
 * auto-remove). State transitions of one container happen under its lock; the supervisor calls of a start happen
 * under it too, so an exit event for a run is only applied once that run is recorded.
 */
public final class ContainerService implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ContainerService.class.getName());
    /** How long a --rm container found down at boot may still be started by its docker run. */
    private static final Duration ABANDONED_RUN_GRACE = Duration.ofSeconds(10);
    private static final int DEFAULT_STOP_TIMEOUT_SECONDS = 10;
    // After SIGKILL the process is gone within milliseconds unless the kernel is stuck; don't hang a client forever.
    private static final Duration KILL_GRACE = Duration.ofSeconds(30);
    private static final Duration FOREVER = Duration.ofDays(3650);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final ContainerStore store;
    private final ContainerImages images;
    private final TaskClient tasks;
    private final OciSpecBuilder specs;
    private final EventBus events;
    private final NameGenerator nameGenerator;
    private final ContainerNetworking networking;
    private final ContainerVolumes volumes;
    private final ContainerHealth health;
    private final RestartScheduler restarts;

    public ContainerService(ContainerStore store, ContainerImages images, TaskClient tasks, OciSpecBuilder specs,
            EventBus events, NameGenerator nameGenerator, ContainerNetworking networking, ContainerVolumes volumes,
            ContainerHealth health) {
        this.store = store;
        this.health = health;
        this.volumes = volumes;
        this.networking = networking;
        this.images = images;
        this.tasks = tasks;
        this.specs = specs;
        this.events = events;
        this.nameGenerator = nameGenerator;
        this.restarts = new RestartScheduler(store, this::run);
    }

    public ContainerStore store() {
        return store;
    }

    public ContainerImages images() {
        return images;
    }

    public ContainerNetworking networking() {
        return networking;
    }

    public ContainerVolumes volumes() {
        return volumes;
    }

    public ContainerHealth health() {
        return health;
    }

    // ---- create -------------------------------------------------------------------------------------------------

    /** Creates a container; {@code name} may be null for a generated one. Returns the new container. */
    public Container create(String name, CreateRequest request) {
        ContainerConfig asked = request.config();
        if (asked.image() == null || asked.image().isEmpty()) {
            throw ApiException.badRequest("no image specified");
        }
        Image image = images.resolve(asked.image());
        String id = newId();
        Path dir = store.dirOf(id);
        String fullName = name == null || name.isEmpty()
                ? store.names().reserveGenerated(id, nameGenerator::next)
                : reserve(ContainerNames.validate(name), id);
        try {
            ContainerRecord built = ContainerFactory.build(id, fullName, request, image, dir, Instant.now());
            String networkMode = networking.create(id, fullName.substring(1), built.hostConfig(), built.config(),
                    request.networkingConfig());
            HostConfig host = built.hostConfig().withNetworkMode(networkMode);
            if (host.links() != null && !host.links().isEmpty() && networkMode.equals("bridge")) {
                // On the default bridge a link names a container that exists; on user networks it is a DNS alias.
                host = host.withLinks(LegacyLinks.normalize(host.links(), fullName, store));
            }
            ContainerRecord record = built.withHostConfig(host);
            Files.createDirectories(dir);
            images.prepareRootfs(image, dir);
            createBindSources(record.hostConfig());
            volumes.create(id, record.hostConfig(), record.config(), dir.resolve("rootfs"));
            EtcFiles.write(dir, record.config().hostname(), record.hostConfig(), NetworkSandbox.unattached());
            Container container = store.add(record);
            publish(container, "create", Map.of());
            return container;
        } catch (IOException | RuntimeException e) {
            // Nothing of a failed create stays behind: not the name, not a snapshot or its mount.
            store.names().release(fullName, id);
            deleteQuietly(dir, image.id());
            removeNetworkingQuietly(id);
            removeVolumesQuietly(id);
            if (e instanceof ApiException || e instanceof DomainException) {
                throw (RuntimeException) e;
            }
            throw ApiException.internal("creating container " + id + " from " + asked.image() + ": " + e.getMessage(), e);
        }
    }

    private String reserve(String name, String id) {
        store.names().reserve(name, id);
        return name;
    }

    /** 64 hex digits whose 12-digit short form is never all decimal digits (Docker's rule: it would read as a number). */
    private static String newId() {
        while (true) {
            byte[] bytes = new byte[32];
            RANDOM.nextBytes(bytes);
            String id = HexFormat.of().formatHex(bytes);
            if (!id.substring(0, 12).matches("\\d+")) {
                return id;
            }
        }
    }

    // ---- start --------------------------------------------------------------------------------------------------

    /** Starts a created or exited container; 304 when it is running already. */
    public void start(Container c) {
        c.lock().lock();
        try {
            if (c.removing()) {
                throw ApiException.conflict("container " + c.id() + " is marked for removal and cannot be started");
            }
            ContainerState state = c.record().state();
            if (state.hasProcess()) {
                throw ApiException.notModified();
            }
            restarts.cancel(c);
            c.policyRestarts(0);
            c.restartDelay(null);
            if (c.record().restartCount() != 0) {
                // dockerd's ResetRestartManager(true): a manual start or restart begins the count anew.
                store.update(c, r -> r.withRestartCount(0));
            }
            run(c);
        } finally {
            c.lock().unlock();
        }
    }

    /** Creates and starts the task of one run. Caller holds the lock. */
    private void run(Container c) {
        ContainerRecord record = c.record();
        try {
            // Mounted since the create, unless a reboot or a crash undid it: then it is made again here.
            images.mountRootfs(record.image(), c.dir());
        } catch (IOException e) {
            throw ApiException.internal("mounting the root filesystem of container " + c.id() + ": " + e.getMessage(), e);
        }
        byte[] spec;
        try {
            NetworkSandbox sandbox = networking.attach(c);
            EtcFiles.write(c.dir(), record.config().hostname(), record.hostConfig(), sandbox);
            spec = Json.MAPPER.writeValueAsBytes(specs.build(record, c.dir(), c.rootfs(), sandbox,
                    volumes.mountForRun(record), NamespaceHolders.resolve(record, store)));
        } catch (ApiException | DomainException e) {
            releaseRun(c.id());
            recordStartFailure(c, 128, e.getMessage());
            throw e;
        } catch (IOException e) {
            releaseRun(c.id());
            throw ApiException.internal("writing the runtime spec of container " + c.id() + ": " + e.getMessage(), e);
        }
        LogRotation rotation = LogRotation.of(ContainerFactory.effectiveLogConfig(record.hostConfig().logConfig()));
        TaskClient.CreateOptions options = new TaskClient.CreateOptions(spec, c.logPath(),
                record.config().openStdin(), rotation.maxSize(), rotation.maxFiles(), record.config().tty(),
                record.hostConfig().runtime());
        int pid;
        try {
            c.taskDeleted(false);
            int createdPid = createTask(c.id(), options).getPid();
            c.runBeforeStart();
            int startedPid = tasks.start(c.id()).getPid();
            pid = startedPid != 0 ? startedPid : createdPid;
        } catch (SupervisorException e) {
            releaseRun(c.id());
            if (e.unreachable()) {
                // The container did not fail, the supervisor is away; but docker run --rm waits for the removal.
                if (record.hostConfig().autoRemove()) {
                    removeAsync(c);
                }
                throw e;
            }
            deleteTaskQuietly(c.id());
            String detail = e.detail();
            int code = startFailureExitCode(detail);
            recordStartFailure(c, code, detail);
            throw new ApiException(code == 128 ? e.status() : HttpResponseStatus.BAD_REQUEST,
                    "failed to start container " + c.id() + ": " + detail, e);
        }
        Instant startedAt = Instant.now();
        store.update(c, r -> r.started(pid, startedAt));
        c.suppressRestartOnNextExit(false);
        publish(c, "start", Map.of(), startedAt);
        health.watch(c);
    }

    /** A task left behind by a run whose exit was never applied (the engine died in between) is replaced. */
    private Task createTask(String id, TaskClient.CreateOptions options) {
        try {
            return tasks.create(id, options);
        } catch (SupervisorException e) {
            if (e.code() != Status.Code.ALREADY_EXISTS) {
                throw e;
            }
            tasks.delete(id, true);
            return tasks.create(id, options);
        }
    }

    /** Docker's exit codes for a command that could not be run: 127 not found, 126 not executable. */
    public static int startFailureExitCode(String message) {
        if (message.contains("executable file not found") || message.contains("no such file or directory")) {
            return 127;
        }
        if (message.contains("permission denied") || message.contains("is a directory")) {
            return 126;
        }
        return 128;
    }

    /**
     * Like dockerd, a run that never started does not answer next-exit waiters (docker run reports the start error
     * itself and drops its wait); with --rm the container is removed, which answers removal waiters.
     */
    private void recordStartFailure(Container c, int exitCode, String error) {
        store.update(c, r -> r.withState(s -> s.failedToStart(exitCode, error)));
        if (c.record().hostConfig().autoRemove()) {
            removeAsync(c);
        }
    }

    // ---- exits --------------------------------------------------------------------------------------------------

    /**
     * A task of {@code id} stopped. Idempotent: the event stream, a stop and a reconcile may all report one exit;
     * only the first that matches the running pid applies it.
     */
    public void onTaskExit(String id, int pid, TaskExit exit) {
        Optional<Container> found = store.byId(id);
        if (found.isEmpty()) {
            // The task of a container that is gone: nothing will ever delete it otherwise.
            deleteTaskQuietly(id);
            return;
        }
        Container c = found.get();
        c.lock().lock();
        try {
            ContainerState state = c.record().state();
            if (!state.hasProcess() || state.pid() != pid) {
                return;
            }
            recordExit(c, exit, "");
        } finally {
            c.lock().unlock();
        }
    }

    /**
     * Applies an exit: state, waiters, {@code oom} (when OOM-killed, as dockerd: before {@code die}), {@code die},
     * task deletion, then restart policy or auto-remove.
     */
    public void recordExit(Container c, TaskExit exit, String error) {
        c.lock().lock();
        try {
            int exitCode = exit.exitCode();
            Instant finishedAt = exit.exitedAt();
            Instant startedAt = c.record().state().startedTime();
            health.unwatch(c);
            store.update(c, r -> r.withState(s -> s.exitedWith(exitCode, exit.oomKilled(), finishedAt, error)));
            // At the exit's own time, so that one that happened while the engine was down sorts before what followed;
            // but never before the run's start event, which a quick exit can precede.
            Instant eventTime = finishedAt.isBefore(startedAt) ? startedAt : finishedAt;
            if (exit.oomKilled()) {
                publish(c, "oom", Map.of(), eventTime);
            }
            publish(c, "die", Map.of("exitCode", String.valueOf(exitCode)), eventTime);
            c.completeRun(new ExitStatus(exitCode, error.isEmpty() ? null : error));
            // Independent of each other (the runtime's state and cgroup; the network and volumes), so side by
            // side: a --rm container's removal waits for both.
            Thread taskDeletion = Thread.ofVirtual().name("delete task " + c.id())
                    .start(() -> c.taskDeleted(deleteTaskQuietly(c.id())));
            releaseRunQuietly(c.id());
            joinUninterruptibly(taskDeletion);
            afterExit(c, exitCode, Duration.between(startedAt, finishedAt));
        } finally {
            c.lock().unlock();
        }
    }

    /**
     * An exit the engine's boot learned of (the task stopped meanwhile, or is gone: a host reboot, a lost shim).
     * Applied as any exit, but the restart policy is left to the boot's own pass ({@link #applyBootRestartPolicy}),
     * as dockerd's restore leaves it: a container that restarts is then started anew, together with the others.
     */
    public void recordExitAtBoot(Container c, TaskExit exit, String error) {
        c.lock().lock();
        try {
            c.suppressRestartOnNextExit(true);
            recordExit(c, exit, error);
        } finally {
            c.lock().unlock();
        }
    }

    /** The engine found a task it had not recorded as running (it died mid-start): take it as this run. */
    public void adopt(Container c, int pid) {
        c.lock().lock();
        try {
            ContainerState state = c.record().state();
            if (state.hasProcess()) {
                if (state.pid() != pid) {
                    store.update(c, r -> r.withState(state.runningAs(pid, state.startedTime())));
                }
                health.watch(c);
                return;
            }
            restarts.cancel(c);
            store.update(c, r -> r.started(pid, Instant.now()));
            health.watch(c);
        } finally {
            c.lock().unlock();
        }
    }

    /** Caller holds the lock. */
    private void afterExit(Container c, int exitCode, Duration ranFor) {
        ContainerRecord record = c.record();
        boolean suppressed = c.restartSuppressed();
        c.suppressRestartOnNextExit(false);
        if (c.removing()) {
            return;
        }
        RestartPolicy policy = RestartPolicy.of(record.hostConfig().restartPolicy());
        if (!suppressed && policy.shouldRestart(exitCode, record.hasBeenManuallyStopped(), c.policyRestarts())) {
            restarts.schedule(c, exitCode, ranFor);
        } else if (record.hostConfig().autoRemove()) {
            removeAsync(c);
        }
    }

    /** Engine boot: the restart policy decides about containers that are down (not those stopped by policy). */
    public void applyBootRestartPolicy(Container c) {
        restarts.applyAtBoot(c);
    }

    /**
     * Engine boot: a {@code --rm} container that is not running is a removal the last engine did not finish, or
     * belongs to a {@code docker run} whose client lost the engine between create and start; dockerd removes such
     * containers when it restores. A client that carried on through a graceful handover starts its container within
     * moments, so the removal waits {@link #ABANDONED_RUN_GRACE} and happens only if the container is still down.
     */
    public void removeAbandonedRunAfterBoot(Container c) {
        if (!c.record().hostConfig().autoRemove() || isRunOrPending(c)) {
            return;
        }
        CompletableFuture.delayedExecutor(ABANDONED_RUN_GRACE.toMillis(), TimeUnit.MILLISECONDS).execute(() -> {
            if (store.byId(c.id()).isPresent() && !isRunOrPending(c) && !c.removing()) {
                LOG.info("removing --rm container " + c.id() + ": " + c.record().state().status()
                        + " since before the engine's boot");
                try {
                    remove(c, true, true);
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "removing --rm container " + c.id() + " after boot: " + e.getMessage());
                }
            }
        });
    }

    private static boolean isRunOrPending(Container c) {
        ContainerState state = c.record().state();
        return state.hasProcess() || state.restarting();
    }

    // ---- stop, kill, restart ------------------------------------------------------------------------------------

    /**
     * Sends the stop signal, waits {@code timeoutSeconds} (the container's StopTimeout, else 10; negative waits
     * forever), then SIGKILL. {@code explicit} stops keep {@code unless-stopped} containers down across restarts;
     * the engine's own shutdown is not explicit. 304 when not running.
     */
    public void stop(Container c, Integer timeoutSeconds, boolean explicit) {
        stop(c, timeoutSeconds, null, explicit);
    }

    /** As {@link #stop(Container, Integer, boolean)} with {@code signal} instead of the container's stop signal. */
    public void stop(Container c, Integer timeoutSeconds, Integer signal, boolean explicit) {
        CompletableFuture<ExitStatus> exit;
        c.lock().lock();
        try {
            ContainerState state = c.record().state();
            if (state.restarting()) {
                restarts.cancel(c);
                store.update(c, r -> r.withManuallyStopped(explicit || r.hasBeenManuallyStopped())
                        .withState(s -> s.exitedWith(s.exitCode(), s.oomKilled(), s.finishedTime(), "")));
                return;
            }
            if (!state.hasProcess()) {
                throw ApiException.notModified();
            }
            c.suppressRestartOnNextExit(true);
            if (explicit) {
                store.update(c, r -> r.withManuallyStopped(true));
            }
            exit = c.nextExit();
        } finally {
            c.lock().unlock();
        }
        int stopSignal = signal != null ? signal : stopSignal(c.record());
        int seconds = timeoutSeconds != null ? timeoutSeconds
                : Optional.ofNullable(c.record().config().stopTimeout()).orElse(DEFAULT_STOP_TIMEOUT_SECONDS);
        try {
            signal(c, stopSignal);
            if (!awaitExit(c, exit, seconds < 0 ? FOREVER : Duration.ofSeconds(seconds))) {
                signal(c, Signals.SIGKILL);
                if (!awaitExit(c, exit, KILL_GRACE)) {
                    throw ApiException.internal("container " + c.id() + " did not exit within "
                            + KILL_GRACE.toSeconds() + " s of SIGKILL", null);
                }
            }
        } catch (RuntimeException e) {
            // The stop did not happen: an exit that comes later on its own is the restart policy's again.
            c.lock().lock();
            try {
                if (!exit.isDone()) {
                    c.suppressRestartOnNextExit(false);
                }
            } finally {
                c.lock().unlock();
            }
            throw e;
        }
        publish(c, "stop", Map.of());
    }

    /** {@code docker kill}: 409 when not running; SIGKILL waits for the exit like Docker's. */
    public void kill(Container c, String ref, int signal) {
        CompletableFuture<ExitStatus> exit;
        c.lock().lock();
        try {
            if (!c.record().state().hasProcess()) {
                throw ApiException.conflict("Cannot kill container: " + ref + ": container " + c.id() + " is not running");
            }
            // Docker's rule: killing with the stop signal is a stop, so the restart policy stays out of it.
            if (signal == stopSignal(c.record())) {
                c.suppressRestartOnNextExit(true);
            }
            exit = c.nextExit();
        } finally {
            c.lock().unlock();
        }
        signal(c, signal);
        if (signal == Signals.SIGKILL) {
            awaitExit(c, exit, KILL_GRACE);
        }
    }

    public void restart(Container c, Integer timeoutSeconds) {
        try {
            stop(c, timeoutSeconds, false);
        } catch (ApiException e) {
            if (e.status().code() != HttpResponseStatus.NOT_MODIFIED.code()) {
                throw e;
            }
        }
        start(c);
        publish(c, "restart", Map.of());
    }

    private void signal(Container c, int signal) {
        // Taken before the signal goes: the die it may cause carries the exit's time, which must sort after.
        Instant sent = Instant.now();
        tasks.kill(c.id(), signal, false);
        if (c.record().state().paused()) {
            // Like dockerd: a frozen process only acts on its signal once thawed.
            tasks.resume(c.id());
            store.update(c, r -> r.withState(s -> s.withPaused(false)));
        }
        publish(c, "kill", Map.of("signal", String.valueOf(signal)), sent);
    }

    /**
     * Waits for the exit of the run {@code exit} belongs to. The event stream normally applies it; asking the
     * supervisor directly keeps stop working while that stream reconnects. False when still running at timeout.
     */
    private boolean awaitExit(Container c, CompletableFuture<ExitStatus> exit, Duration timeout) {
        if (exit.isDone()) {
            return true;
        }
        try {
            Optional<Task> stopped = tasks.awaitExit(c.id(), timeout);
            if (stopped.isEmpty()) {
                return false;
            }
            Task task = stopped.get();
            onTaskExit(c.id(), task.getPid(), TaskExit.of(task));
        } catch (SupervisorException e) {
            if (e.code() != Status.Code.NOT_FOUND) {
                throw e;
            }
            // The task is gone: its exit was applied already, or the supervisor lost it (exit code unknown).
            c.lock().lock();
            try {
                if (!exit.isDone() && c.record().state().hasProcess()) {
                    recordExit(c, TaskExit.unreported(255), "the supervisor has no task for this container");
                }
            } finally {
                c.lock().unlock();
            }
        }
        try {
            exit.get(KILL_GRACE.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ApiException.internal("interrupted while waiting for container " + c.id() + " to exit", e);
        } catch (ExecutionException e) {
            throw ApiException.internal("waiting for container " + c.id() + ": " + e.getCause().getMessage(), e);
        }
    }

    private static int stopSignal(ContainerRecord record) {
        String name = record.config().stopSignal();
        return name == null || name.isEmpty() ? Signals.SIGTERM : Signals.parse(name);
    }

    // ---- wait ---------------------------------------------------------------------------------------------------

    public enum WaitCondition {
        NOT_RUNNING, NEXT_EXIT, REMOVED;

        public static WaitCondition parse(String text) {
            return switch (text == null ? "" : text) {
                case "", "not-running" -> NOT_RUNNING;
                case "next-exit" -> NEXT_EXIT;
                case "removed" -> REMOVED;
                default -> throw ApiException.badRequest("invalid condition: \"" + text
                        + "\": use not-running, next-exit or removed");
            };
        }
    }

    /** Registers a waiter now; the future completes when the condition is met. */
    public CompletableFuture<ExitStatus> waitFor(Container c, WaitCondition condition) {
        return switch (condition) {
            case NEXT_EXIT -> c.nextExit();
            case REMOVED -> c.removed();
            case NOT_RUNNING -> {
                c.lock().lock();
                try {
                    ContainerState state = c.record().state();
                    yield state.running() ? c.nextExit()
                            : CompletableFuture.completedFuture(new ExitStatus(state.exitCode(), null));
                } finally {
                    c.lock().unlock();
                }
            }
        };
    }

    // ---- remove -------------------------------------------------------------------------------------------------

    /** {@code docker rm --link linker/alias}: removes a legacy link, not a container. */
    public void removeLink(String ref) {
        LegacyLinks.remove(store, ref);
    }

    /**
     * {@code docker rm [-f] [-v]}: 409 when running without force; with force, SIGKILL first; with
     * {@code removeVolumes}, its anonymous volumes go too.
     */
    public void remove(Container c, boolean force, boolean removeVolumes) {
        boolean running;
        CompletableFuture<ExitStatus> exit;
        c.lock().lock();
        try {
            if (c.removing()) {
                throw ApiException.conflict("removal of container " + c.record().shortName() + " is already in progress");
            }
            ContainerState state = c.record().state();
            if (state.running() && !force) {
                // dockerd 20.10's words, which docker-py's tests (and scripts) look for.
                String what = state.paused() ? "paused" : state.restarting() ? "restarting" : "running";
                String procedure = "Stop the container before attempting removal or force remove";
                throw ApiException.conflict("You cannot remove a " + what + " container " + c.id() + ". "
                        + (state.paused() ? "Unpause and then " + procedure.toLowerCase() : procedure));
            }
            c.removing(true);
            restarts.cancel(c);
            running = state.hasProcess();
            exit = c.nextExit();
        } finally {
            c.lock().unlock();
        }
        try {
            if (running) {
                signal(c, Signals.SIGKILL);
                if (!awaitExit(c, exit, KILL_GRACE)) {
                    throw ApiException.internal("container " + c.id() + " did not exit after SIGKILL", null);
                }
            }
            destroy(c, removeVolumes);
        } catch (RuntimeException e) {
            c.lock().lock();
            try {
                c.removing(false);
            } finally {
                c.lock().unlock();
            }
            throw e;
        }
    }

    private void removeAsync(Container c) {
        Thread.ofVirtual().name("auto-remove " + c.id()).start(() -> {
            try {
                // --rm removes the container's anonymous volumes, as dockerd does.
                remove(c, false, true);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "auto-remove of container " + c.id() + " failed: " + e.getMessage());
            }
        });
    }

    private void destroy(Container c, boolean removeVolumes) {
        // A stopped container's task was deleted at its exit, unless that failed or this engine did not see it.
        if (!c.taskDeleted()) {
            try {
                tasks.delete(c.id(), true);
            } catch (SupervisorException e) {
                // A leftover task is collected by the next reconcile.
                if (!e.unreachable()) {
                    throw e;
                }
            }
        }
        try {
            images.unmountRootfs(c.record().image(), c.dir());
        } catch (IOException e) {
            throw ApiException.internal("unmounting the root filesystem of container " + c.id() + ": " + e.getMessage(), e);
        }
        ShareableShm.unmountQuietly(c.dir());
        networking.remove(c.id());
        volumes.remove(c.id(), removeVolumes);
        try {
            store.remove(c);
        } catch (IOException e) {
            throw ApiException.internal("removing the directory of container " + c.id() + ": " + e.getMessage(), e);
        }
        try {
            images.containerRemoved(c.record().image());
        } catch (IOException e) {
            LOG.log(Level.WARNING, "releasing the image of removed container " + c.id() + ": " + e.getMessage());
        }
        publish(c, "destroy", Map.of());
        c.removed().complete(new ExitStatus(c.record().state().exitCode(), null));
    }

    public void attached(Container c) {
        publish(c, "attach", Map.of());
    }

    // ---- rename, prune -------------------------------------------------------------------------------------------

    /**
     * {@code docker rename}: 409 when the new name is taken, as at create; 400 for the current name. Like dockerd,
     * the slash is added before validation, so an invalid name is quoted with it.
     */
    public void rename(Container c, String newName) {
        if (newName.isEmpty()) {
            throw ApiException.badRequest("Neither old nor new names may be empty");
        }
        String name = ContainerNames.validate(newName.startsWith("/") ? newName : "/" + newName);
        c.lock().lock();
        try {
            String old = c.record().name();
            if (old.equals(name)) {
                throw ApiException.badRequest("Renaming a container with the same name as its current name");
            }
            store.names().reserve(name, c.id());
            try {
                store.update(c, r -> r.withName(name));
            } catch (RuntimeException e) {
                store.names().release(name, c.id());
                throw e;
            }
            store.names().release(old, c.id());
            publish(c, "rename", Map.of("oldName", old));
        } finally {
            c.lock().unlock();
        }
    }

    /** {@code docker container prune}: removes the stopped containers {@code which} accepts; returns their ids. */
    public List<String> prune(Predicate<Container> which) {
        List<String> removed = new ArrayList<>();
        for (Container c : store.all()) {
            if (c.record().state().running() || !which.test(c)) {
                continue;
            }
            try {
                remove(c, false, false);
                removed.add(c.id());
            } catch (ApiException e) {
                // Started or being removed meanwhile: not prunable any more.
                LOG.fine("prune skipped container " + c.id() + ": " + e.getMessage());
            }
        }
        return removed;
    }

    // ---- helpers ------------------------------------------------------------------------------------------------

    private void publish(Container c, String action, Map<String, String> extra) {
        events.publish(ContainerEvents.of(c, action, extra));
    }

    private void publish(Container c, String action, Map<String, String> extra, Instant time) {
        events.publish(ContainerEvents.of(c, action, extra, time));
    }

    /** True when the task is deleted (or was not there). */
    private boolean deleteTaskQuietly(String id) {
        try {
            tasks.delete(id, true);
            return true;
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "deleting the task of container " + id + ": " + e.getMessage());
            return false;
        }
    }

    private static void joinUninterruptibly(Thread thread) {
        boolean interrupted = false;
        while (true) {
            try {
                thread.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** What a run holds beside its task: its network endpoints and its volumes' mounts. */
    private void releaseRun(String id) {
        ShareableShm.unmountQuietly(store.dirOf(id));
        try {
            networking.detach(id);
        } finally {
            volumes.releaseRun(id);
        }
    }

    /** An exit is recorded even when its teardown fails: the next boot retries what is left. */
    private void releaseRunQuietly(String id) {
        try {
            releaseRun(id);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "releasing the networks and volumes of container " + id + ": " + e.getMessage());
        }
    }

    private void removeVolumesQuietly(String id) {
        try {
            volumes.remove(id, true);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "removing the volumes of container " + id + ": " + e.getMessage());
        }
    }

    private void removeNetworkingQuietly(String id) {
        try {
            networking.remove(id);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "forgetting the networks of container " + id + ": " + e.getMessage());
        }
    }

    /** Docker creates a missing bind source as a directory. */
    private static void createBindSources(HostConfig host) throws IOException {
        for (BindMount bind : BindMount.parseAll(host.binds())) {
            if (!bind.isVolume()) {
                Files.createDirectories(Path.of(bind.source()));
            }
        }
    }

    /** Deletes {@code dir}; with {@code imageId}, its root filesystem snapshot first (unmounted, then deleted). */
    private void deleteQuietly(Path dir, String imageId) {
        if (!Files.exists(dir)) {
            return;
        }
        ShareableShm.unmountQuietly(dir);
        try {
            if (imageId != null) {
                images.removeRootfs(imageId, dir);
            }
            try (Stream<Path> paths = Files.walk(dir)) {
                for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        } catch (IOException e) {
            LOG.log(Level.WARNING, "cleaning up " + dir + ": " + e.getMessage());
        }
    }

    /**
     * Engine boot after a crash, before requests are served: a directory of {@code <data>/containers} without a
     * record (a crash during a create, or a removal by an older engine) loses its snapshot (unmounted, idempotently)
     * and then the directory; running containers whose rootfs mount is missing get it again (one that is mounted,
     * live, is left alone).
     */
    public void recoverRootfs() {
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(store.root(), Files::isDirectory)) {
            for (Path dir : dirs) {
                if (store.byId(dir.getFileName().toString()).isEmpty() && !Files.exists(dir.resolve(ContainerStore.RECORD_FILE))) {
                    LOG.info("removing " + dir + ": no container record (left by a crash)");
                    deleteQuietly(dir, "");
                }
            }
        } catch (IOException e) {
            LOG.log(Level.WARNING, "looking for leftover container directories in " + store.root() + ": " + e.getMessage());
        }
        // One read of the mount table for all of them: a handover's new engine does this after "go", while
        // requests wait.
        Set<Path> mounted;
        try {
            mounted = Set.copyOf(MountTable.mountsUnder(store.root(), null));
        } catch (IOException e) {
            LOG.log(Level.WARNING, "reading the mounts under " + store.root() + ": " + e.getMessage());
            mounted = Set.of();
        }
        for (Container c : store.all()) {
            if (c.record().state().hasProcess() && !mounted.contains(canonicalRootfs(c))) {
                try {
                    images.mountRootfs(c.record().image(), c.dir());
                } catch (IOException | RuntimeException e) {
                    LOG.log(Level.WARNING, "mounting the root filesystem of running container " + c.id() + ": " + e.getMessage());
                }
            }
        }
    }

    private static Path canonicalRootfs(Container c) {
        try {
            return MountTable.canonical(c.rootfs());
        } catch (IOException e) {
            return c.rootfs();
        }
    }

    @Override
    public void close() {
        restarts.close();
        health.close();
    }

    /** Running containers, for the engine's shutdown when reconcile is off. */
    public List<Container> running() {
        return store.all().stream().filter(c -> c.record().state().hasProcess()).toList();
    }
}
