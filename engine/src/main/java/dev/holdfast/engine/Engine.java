package dev.holdfast.engine;

import dev.holdfast.engine.api.ApiServer;
import dev.holdfast.engine.api.ApiSocket;
import dev.holdfast.engine.api.BuildRoutes;
import dev.holdfast.engine.handover.DataRootFingerprint;
import dev.holdfast.engine.handover.HolderLink;
import dev.holdfast.engine.handover.RequestRehearsal;
import dev.holdfast.engine.api.CommitRoutes;
import dev.holdfast.engine.api.ContainerControlRoutes;
import dev.holdfast.engine.api.ContainerRoutes;
import dev.holdfast.engine.api.InteractiveRoutes;
import dev.holdfast.engine.api.EventRoutes;
import dev.holdfast.engine.api.ImageRoutes;
import dev.holdfast.engine.registry.Registries;
import dev.holdfast.engine.api.InfoRoutes;
import dev.holdfast.engine.api.NetworkRoutes;
import dev.holdfast.engine.api.Router;
import dev.holdfast.engine.api.DiskUsageRoutes;
import dev.holdfast.engine.api.FilesystemRoutes;
import dev.holdfast.engine.archive.ContainerArchive;
import dev.holdfast.engine.api.SwarmRoutes;
import dev.holdfast.engine.api.VolumeRoutes;
import dev.holdfast.engine.volume.ContainerMounts;
import dev.holdfast.engine.api.SystemRoutes;
import dev.holdfast.engine.config.EngineConfig;
import dev.holdfast.engine.container.ContainerControl;
import dev.holdfast.engine.container.ContainerHealth;
import dev.holdfast.engine.container.ContainerFactory;
import dev.holdfast.engine.container.Container;
import dev.holdfast.engine.container.ContainerImages;
import dev.holdfast.engine.container.ContainerService;
import dev.holdfast.engine.container.ContainerStore;
import dev.holdfast.engine.container.NameGenerator;
import dev.holdfast.engine.events.EventBus;
import dev.holdfast.engine.events.EventJournal;
import dev.holdfast.engine.exec.ProbeExecs;
import dev.holdfast.engine.exec.ExecTracker;
import dev.holdfast.engine.image.ImageStore;
import dev.holdfast.engine.api.Json;
import dev.holdfast.engine.network.AttachmentStore;
import dev.holdfast.engine.network.ContainerNetworks;
import dev.holdfast.engine.network.Netavark;
import dev.holdfast.engine.network.NetworkNamespaces;
import dev.holdfast.engine.network.NetworkService;
import dev.holdfast.engine.network.NetworkStore;
import dev.holdfast.engine.network.Subnet;
import dev.holdfast.engine.spec.HostLimits;
import dev.holdfast.engine.spec.InitProcess;
import dev.holdfast.engine.spec.OciSpecBuilder;
import dev.holdfast.engine.store.AtomicFiles;
import dev.holdfast.engine.task.ExitMonitor;
import dev.holdfast.engine.task.OciRuntimes;
import dev.holdfast.engine.task.Reconciler;
import dev.holdfast.engine.task.InteractiveTasks;
import dev.holdfast.engine.task.TaskClient;
import dev.holdfast.supervisor.client.SupervisorChannels;
import io.grpc.ManagedChannel;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/** Wires the engine together: stores, the supervisor connection, reconcile, and the API server. */
public final class Engine implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Engine.class.getName());
    private static final Duration RECONCILE_WAIT = Duration.ofSeconds(5);
    /** How often a standby checks that the records it read are still current. */
    private static final Duration STANDBY_REFRESH = Duration.ofSeconds(2);
    private static final String ENGINE_ID_FILE = "engine-id";

    private final EngineConfig config;
    private final ApiServer server;
    private final ManagedChannel channel;
    private final ContainerService containers;
    private final ExitMonitor monitor;
    private final EventBus events;
    private final CountDownLatch closed = new CountDownLatch(1);
    private volatile boolean drained;

    private Engine(EngineConfig config, ApiServer server, ManagedChannel channel, ContainerService containers,
            ExitMonitor monitor, EventBus events) {
        this.config = config;
        this.server = server;
        this.channel = channel;
        this.containers = containers;
        this.monitor = monitor;
        this.events = events;
    }

    /**
     * Serves the API at once; the supervisor may come up later; until then, calls that need it answer 500 naming its
     * socket, and the boot reconcile runs as soon as it answers.
     * <p>
     * A restart's downtime is this method's time, so it does its parts side by side: the API socket is bound and
     * answers {@code /_ping} and {@code /version} from the start, the supervisor connection warms up (gRPC, netty
     * and protobuf initialise, the HTTP/2 handshake) while this thread reads the records, and every other request
     * waits, accepted, until the records agree with the supervisor's tasks (the boot reconcile) or
     * {@link #RECONCILE_WAIT} passed without a supervisor, as before.
     */
    public static Engine start(EngineConfig config) throws IOException {
        return start(config, new ApiSocket.Bound(config.apiSocket()), HolderLink.fromEnvironment(Map.of()));
    }

    /**
     * As {@link #start(EngineConfig)}, on {@code socket}. Under a socket holder, a restart's new engine (or a standby)
     * reads the records and builds every service on them while the old engine still serves, changing nothing; after
     * the holder's go it uses what it read if nothing was written since ({@link DataRootFingerprint}), else reads it
     * again, then recovers and serves: clients wait for that step only.
     */
    public static Engine start(EngineConfig config, ApiSocket socket, HolderLink holder) throws IOException {
        BootTimes times = new BootTimes();
        Router router = new Router();
        Router bootRouter = new Router();
        new SystemRoutes().register(bootRouter);
        CompletableFuture<Void> serving = new CompletableFuture<>();
        CompletableFuture<ApiServer> prepared = onBootThread("engine-boot-api", () ->
                ApiServer.prepare(socket, router, bootRouter, serving, SystemRoutes.ENGINE_VERSION));
        CompletableFuture<ManagedChannel> connected = onBootThread("engine-boot-supervisor", () -> {
            ManagedChannel channel = SupervisorChannels.connect(config.supervisorSocket());
            TaskClient.warmUp(channel);
            return channel;
        });
        try {
            ReadAhead ahead = null;
            boolean afterRelease = false;
            if (holder.present()) {
                if (holder.goDeferred()) {
                    ReadAhead[] current = {ReadAhead.read(config, connected, RequestRehearsal.WARMING_ROUNDS,
                            holder::goPending)};
                    join(prepared, "preparing " + socket);
                    times.mark("read ahead");
                    // Also the logger's first use (its formatter and handler), which cost the first clients after
                    // go tens of milliseconds when the "serving" line below was it.
                    LOG.info("read ahead " + current[0].assembly().records().all().size() + " containers " + times
                            + "; waiting for the holder's go");
                    afterRelease = holder.awaitGo(STANDBY_REFRESH, () -> current[0] = current[0].refreshed());
                    ahead = current[0];
                } else {
                    afterRelease = holder.awaitGo(STANDBY_REFRESH, () -> {});
                }
                times.mark("go");
            }
            CompletableFuture<ApiServer> bound = prepared.thenApplyAsync(Engine::listening,
                    command -> Thread.ofPlatform().name("engine-boot-listen").daemon().start(command));
            return boot(config, socket, times, router, serving, bound, connected, ahead, afterRelease);
        } catch (IOException | RuntimeException | Error e) {
            // Nothing may keep the process alive answering /_ping and holding every other request.
            serving.completeExceptionally(e);
            prepared.thenAccept(ApiServer::close);
            connected.thenAccept(ManagedChannel::shutdownNow);
            throw e;
        }
    }

    private static ApiServer listening(ApiServer server) {
        try {
            server.listen();
            return server;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static Engine boot(EngineConfig config, ApiSocket socket, BootTimes times, Router router,
            CompletableFuture<Void> serving, CompletableFuture<ApiServer> bound,
            CompletableFuture<ManagedChannel> connected, ReadAhead ahead, boolean afterRelease) throws IOException {
        String engineId = engineId(config.dataRoot());
        Assembly engine;
        if (ahead != null && ahead.current(engineId)) {
            engine = ahead.assembly();
            router.include(ahead.router());
            times.mark("records read ahead still current");
        } else {
            engine = assemble(config, engineId, router, connected, times);
        }
        engine.open(config, times);
        if (!afterRelease) {
            engine.removeCrashLeftovers(times);
        }
        // Reconcile only once the socket is ours: an engine that cannot listen must not adopt or kill anything.
        ApiServer server = join(bound, "listening on " + socket);
        times.mark("api socket");
        engine.monitor().start();
        if (!afterRelease) {
            awaitFirstReconcile(engine.monitor(), config);
            times.mark("reconcile");
        }
        serving.complete(null);
        LOG.info("serving " + engine.records().all().size() + " containers on " + socket + " " + times
                + (afterRelease ? "; the previous engine released it cleanly: no crash leftovers looked for, and the"
                        + " boot reconcile runs while serving" : ""));
        return new Engine(config, server, engine.channel(), engine.service(), engine.monitor(), engine.events());
    }

    /** The engine's parts, built on what was read but not started: nothing recovered, reconciled or served yet. */
    private record Assembly(ManagedChannel channel, ContainerStore records, ImageStore images, ContainerMounts mounts,
            ContainerService service, ContainerNetworks networks, ExitMonitor monitor, EventBus events) {

        /**
         * What the engine that owns the data root does first: the journal opened, running containers' volumes held,
         * the trash emptied behind the requests.
         */
        void open(EngineConfig config, BootTimes times) throws IOException {
            events.openJournal(EventJournal.open(config.dataRoot().resolve("events"), Json.MAPPER));
            mounts.holdVolumesOfRunningContainers();
            records.emptyTrash();
            times.mark("events and volumes");
        }

        /**
         * What a crash or a host reboot may have left: half-done images, volumes and mounts records, container
         * directories without a record, root filesystems of running containers not mounted, networks of containers
         * that are gone. Not after a clean release by the previous engine: it left nothing half-done, and this is
         * what clients would wait for.
         */
        void removeCrashLeftovers(BootTimes times) throws IOException {
            images.removeLeftovers();
            mounts.removeLeftovers();
            times.mark("image and volume leftovers");
            service.recoverRootfs();
            times.mark("snapshots");
            networks.recover();
            times.mark("networks");
        }
    }

    /**
     * An assembly built before the holder's go, while another engine may still write the data root, and the data
     * root's fingerprint from before it was read: it stands if the fingerprint is the same after go.
     */
    private record ReadAhead(EngineConfig config, CompletableFuture<ManagedChannel> connected, Assembly assembly,
            Router router, DataRootFingerprint fingerprint, String engineId) {

        /**
         * The records read and the services built on them, then {@code rounds} of the request rehearsal and of the
         * fingerprint check, fewer when the go comes meanwhile (a standby killed while it warms up).
         */
        static ReadAhead read(EngineConfig config, CompletableFuture<ManagedChannel> connected, int rounds,
                BooleanSupplier goPending) throws IOException {
            DataRootFingerprint fingerprint = DataRootFingerprint.takeSettled(config.dataRoot());
            String engineId = readEngineId(config.dataRoot());
            Router router = new Router();
            EventJournal.prepare(Json.MAPPER);
            Assembly assembly = assemble(config, engineId, router, connected, new BootTimes());
            RequestRehearsal.run(config.runRoot().resolve("engine-rehearsal-" + ProcessHandle.current().pid() + ".sock"),
                    router, SystemRoutes.ENGINE_VERSION, rounds, goPending);
            ReadAhead ahead = new ReadAhead(config, connected, assembly, router, fingerprint, engineId);
            // The same for the check after go: interpreted, it took 10-25 ms of the wait (measured).
            for (int round = 1; round < rounds && !goPending.getAsBoolean(); round++) {
                ahead.current(engineId);
            }
            return ahead;
        }

        /**
         * This, or a new reading when the data root has changed since (a standby's wait may be long); its rehearsal
         * is one round, the code is compiled already.
         */
        ReadAhead refreshed() {
            try {
                return current(engineId) ? this : read(config, connected, 1, () -> true);
            } catch (IOException | RuntimeException e) {
                LOG.log(Level.WARNING, "reading the records ahead of a takeover: " + e.getMessage(), e);
                return this;
            }
        }

        boolean current(String engineIdNow) throws IOException {
            return engineIdNow.equals(engineId) && fingerprint.matches(DataRootFingerprint.take(config.dataRoot()));
        }
    }

    /**
     * Reads the records under {@code config}'s data root and builds every service and route on them, changing
     * nothing on disk (see {@link Assembly#recover}).
     */
    private static Assembly assemble(EngineConfig config, String engineId, Router router,
            CompletableFuture<ManagedChannel> connected, BootTimes times) throws IOException {
        ContainerFactory.daemonLogOptions(config.logOptions());
        ContainerStore containerStore = ContainerStore.load(config.dataRoot());
        times.mark("records");
        ImageStore images = new ImageStore(config.dataRoot(), containerStore.asImageUsers());
        times.mark("images");
        ManagedChannel channel = join(connected, "connecting to the supervisor");
        times.mark("supervisor connection");
        OciRuntimes runtimes = new OciRuntimes(config.runtimes());
        ContainerFactory.runtimes(runtimes.names());
        TaskClient tasks = new TaskClient(channel, config.supervisorSocket(), runtimes);
        EventBus events = EventBus.withJournalLater();
        NetworkStore networkStore = NetworkStore.load(config.dataRoot(), Json.MAPPER, config.bridge(), config.subnet());
        ContainerNetworks containerNetworks = new ContainerNetworks(networkStore,
                AttachmentStore.load(config.dataRoot(), Json.MAPPER), new NetworkNamespaces(config.runRoot()),
                new Netavark(config.netavark(), config.aardvarkDns(), config.runRoot().resolve("netavark"), Json.MAPPER),
                containerStore, events, config.dns());
        NetworkService networks = new NetworkService(networkStore, containerNetworks, containerStore, events,
                Subnet.parse(config.pool()), config.poolSize(), config.bridge());
        times.mark("networks read");
        ContainerMounts mounts = ContainerMounts.load(config.dataRoot(), Json.MAPPER, events, containerStore);
        times.mark("mounts read");
        InteractiveTasks interactive = new InteractiveTasks(channel, config.supervisorSocket());
        ContainerHealth health = new ContainerHealth(containerStore, events,
                new ProbeExecs(containerStore, interactive, events));
        ContainerService service = new ContainerService(containerStore, ContainerImages.of(images), tasks,
                new OciSpecBuilder(config.cgroupParent(),
                        Math.min(OciSpecBuilder.DOCKER_NOFILE, HostLimits.openFilesHardLimit(OciSpecBuilder.DOCKER_NOFILE)),
                        new InitProcess(config.initPath())), events, new NameGenerator(new SecureRandom()),
                containerNetworks, mounts, health);
        ExitMonitor monitor = new ExitMonitor(tasks, new Reconciler(service, tasks, config.reconcile()), service);
        times.mark("services");

        new SystemRoutes().register(router);
        new ImageRoutes(images, new Registries(config.insecureRegistries(), config.registryMirrors()), events)
                .register(router);
        ExecTracker execs = new ExecTracker(containerStore, interactive);
        new ContainerRoutes(service, execs).register(router);
        new InteractiveRoutes(service, interactive, execs).register(router);
        ContainerControl control = new ContainerControl(containerStore, tasks, events, health);
        new ContainerControlRoutes(containerStore, control).register(router);
        new CommitRoutes(containerStore, control, images, events).register(router);
        new EventRoutes(events).register(router);
        new NetworkRoutes(networks).register(router);
        new SwarmRoutes().register(router);
        new BuildRoutes().register(router);
        new VolumeRoutes(mounts.volumes()).register(router);
        new FilesystemRoutes(service, new ContainerArchive(service, events)).register(router);
        new DiskUsageRoutes(images, service, mounts.volumes()).register(router);
        InfoRoutes.EngineFacts facts = new InfoRoutes.EngineFacts(engineId, config.dataRoot(),
                config.reconcile(), "cgroupfs", Files.exists(Path.of("/sys/fs/cgroup/cgroup.controllers")) ? "2" : "1",
                config.pool(), config.poolSize(), runtimes.info());
        new InfoRoutes(facts, containerStore, () -> images.list().size(), () -> monitor.connected() ? List.of()
                : List.of("WARNING: the supervisor is not reachable at " + config.supervisorSocket())).register(router);
        times.mark("routes");
        return new Assembly(channel, containerStore, images, mounts, service, containerNetworks, monitor, events);
    }

    private interface BootStep<T> {
        T run() throws Exception;
    }

    /** Runs {@code step} on a platform thread of its own (a second core's worth of boot work). */
    private static <T> CompletableFuture<T> onBootThread(String name, BootStep<T> step) {
        CompletableFuture<T> result = new CompletableFuture<>();
        Thread.ofPlatform().name(name).daemon().start(() -> {
            try {
                result.complete(step.run());
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        });
        return result;
    }

    private static <T> T join(CompletableFuture<T> future, String what) throws IOException {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted " + what, e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            if (e.getCause() instanceof java.io.UncheckedIOException io) {
                throw io.getCause();
            }
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IOException(what + ": " + e.getCause(), e.getCause());
        }
    }

    /** Milliseconds since the process started, at the end of each boot step: the engine log's account of a start. */
    private static final class BootTimes {
        private final long t0 = System.nanoTime();
        private final long age = processAgeMillis();
        private final StringBuilder marks = new StringBuilder();

        BootTimes() {
            mark("config read");
        }

        void mark(String step) {
            marks.append(marks.isEmpty() ? "" : ", ").append(step).append(' ')
                    .append(age < 0 ? "?" : String.valueOf(age + (System.nanoTime() - t0) / 1_000_000));
        }

        /** From /proc (10 ms ticks): the JVM's own start time would cost the management classes to learn. */
        private static long processAgeMillis() {
            try {
                String stat = Files.readString(Path.of("/proc/self/stat"));
                long startTicks = Long.parseLong(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[19]);
                double uptime = Double.parseDouble(Files.readString(Path.of("/proc/uptime")).split(" ")[0]);
                return Math.round(uptime * 1000) - startTicks * 10;
            } catch (IOException | RuntimeException e) {
                return -1;
            }
        }

        @Override
        public String toString() {
            return "(ms since the process started: " + marks + ")";
        }
    }

    /**
     * The first answers should not show a container as running that exited while the engine was down: serve once
     * records and tasks agree, or after {@link #RECONCILE_WAIT} without a supervisor (reconcile follows later).
     */
    private static void awaitFirstReconcile(ExitMonitor monitor, EngineConfig config) {
        try {
            monitor.firstReconcile().get(RECONCILE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            LOG.warning("serving before the supervisor at " + config.supervisorSocket()
                    + " answered; container states are reconciled once it does");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Completes once the records agree with the supervisor's tasks for the first time. */
    public CompletableFuture<Void> firstReconcile() {
        return monitor.firstReconcile();
    }

    /**
     * After {@link #close}: every request was answered within the drain limit, so nothing this engine did was cut
     * half-way and the next engine need not look for leftovers (see docs/internals.md, "The socket holder").
     */
    public boolean drained() {
        return drained;
    }

    public void awaitClose() throws InterruptedException {
        closed.await();
    }

    /**
     * Stops serving. With {@code reconcile = true} containers keep running for the next engine to adopt; with
     * {@code reconcile = false} they are stopped first, since nothing would ever watch them again.
     */
    @Override
    public void close() {
        close(() -> {});
    }

    /**
     * As {@link #close()}; {@code quiesced} runs as soon as this engine will write nothing more to the data root,
     * before the supervisor channel's shutdown (a handover's next engine waits for it, clients with it).
     */
    public void close(Runnable quiesced) {
        if (closed.getCount() == 0) {
            return;
        }
        drained = server.drainAndClose();
        if (!config.reconcile()) {
            stopAll();
        }
        monitor.close();
        containers.close();
        // Last: the stops above publish their die events.
        events.close();
        quiesced.run();
        channel.shutdownNow();
        try {
            channel.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closed.countDown();
    }

    private void stopAll() {
        List<Thread> stops = containers.running().stream()
                .map(c -> Thread.ofVirtual().name("shutdown stop " + c.id()).start(() -> stop(c)))
                .toList();
        for (Thread stop : stops) {
            try {
                stop.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void stop(Container c) {
        try {
            containers.stop(c, null, false);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "stopping container " + c.id() + " at shutdown: " + e.getMessage());
        }
    }

    /** Docker's engine ID: random once, then stable for this data root. */
    private static String engineId(Path dataRoot) throws IOException {
        String id = readEngineId(dataRoot);
        if (id.isEmpty()) {
            id = UUID.randomUUID().toString();
            AtomicFiles.write(dataRoot.resolve(ENGINE_ID_FILE), (id + "\n").getBytes(StandardCharsets.UTF_8));
        }
        return id;
    }

    /** The engine ID, or "" before the first engine on this data root wrote it. */
    private static String readEngineId(Path dataRoot) throws IOException {
        Path file = dataRoot.resolve(ENGINE_ID_FILE);
        return Files.exists(file) ? Files.readString(file).trim() : "";
    }
}
