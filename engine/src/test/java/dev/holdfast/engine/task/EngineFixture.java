package dev.holdfast.engine.task;

import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import dev.holdfast.engine.api.ApiException;
import dev.holdfast.engine.api.Json;
import dev.holdfast.engine.container.Container;
import dev.holdfast.engine.container.ContainerHealth;
import dev.holdfast.engine.container.ContainerImages;
import dev.holdfast.engine.container.ContainerService;
import dev.holdfast.engine.container.ContainerStore;
import dev.holdfast.engine.container.CreateRequest;
import dev.holdfast.engine.volume.ContainerMounts;
import dev.holdfast.engine.container.NameGenerator;
import dev.holdfast.engine.events.Event;
import dev.holdfast.engine.events.EventBus;
import dev.holdfast.engine.events.EventJournal;
import dev.holdfast.engine.image.Image;
import dev.holdfast.engine.image.ImageConfig;
import dev.holdfast.engine.image.Snapshots;
import dev.holdfast.engine.spec.InitProcess;
import dev.holdfast.engine.spec.OciSpecBuilder;
import dev.holdfast.supervisor.client.SupervisorChannels;
import io.grpc.ManagedChannel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * The engine's container side (store, service, reconcile, exit monitor) against a {@link FakeSupervisor}, with an
 * image that exists only as a directory. {@link #restartEngine} drops everything but the data directory and the
 * supervisor, as an engine restart does.
 */
public final class EngineFixture implements AutoCloseable {
    public static final Image BUSYBOX = new Image("sha256:" + "b".repeat(64), List.of("busybox:latest"), Instant.EPOCH,
            new ImageConfig(List.of("sh"), List.of(), List.of("PATH=/bin"), "", "", java.util.Map.of(),
                    java.util.Map.of(), java.util.Map.of(), "", null), 1, List.of());

    private final Path data;
    private final Path socket;
    private final boolean liveRestore;
    /** The image's rootfs when containers get real overlay snapshots (needs root), else null. */
    private final Path imageRootfs;
    public final FakeSupervisor supervisor;
    public final List<Event> events = new CopyOnWriteArrayList<>();
    private ManagedChannel channel;
    private Thread collector;
    private EventBus bus;
    public ContainerService service;
    public ExitMonitor monitor;

    public EngineFixture(Path root, boolean liveRestore) throws IOException {
        this(root, liveRestore, false);
    }

    /** With {@code realSnapshots}, containers' root filesystems are overlay mounts of a small image directory. */
    public EngineFixture(Path root, boolean liveRestore, boolean realSnapshots) throws IOException {
        this.data = root.resolve("data");
        this.socket = root.resolve("s.sock");
        this.liveRestore = liveRestore;
        this.imageRootfs = realSnapshots ? root.resolve("image-rootfs") : null;
        if (realSnapshots) {
            Files.createDirectories(imageRootfs.resolve("etc"));
            Files.writeString(imageRootfs.resolve("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\n");
        }
        this.supervisor = new FakeSupervisor(socket).start();
        startEngine();
    }

    private void startEngine() throws IOException {
        ContainerStore store = ContainerStore.load(data);
        channel = SupervisorChannels.connect(socket);
        TaskClient tasks = new TaskClient(channel, socket, OciRuntimes.runcOnly());
        bus = new EventBus(EventJournal.open(data.resolve("events"), Json.MAPPER));
        EventBus.Subscription all = bus.subscribe(null, e -> true);
        collector = Thread.ofVirtual().start(() -> {
            try {
                while (true) {
                    Event e = all.poll(1000);
                    if (e != null) {
                        events.add(e);
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        ContainerMounts mounts = ContainerMounts.load(data, Json.MAPPER, bus, store);
        mounts.holdVolumesOfRunningContainers(); // as Engine.boot does
        mounts.removeLeftovers();
        service = new ContainerService(store, images(), tasks, new OciSpecBuilder("/test", 1024,
                new InitProcess(InitProcess.DEFAULT_BINARY)), bus,
                new NameGenerator(new Random()), new LoopbackNetworking(), mounts, new ContainerHealth(store, bus, (id, command, timeout) -> {
                    throw new IllegalStateException("the fixture's image has no healthcheck");
                }));
        service.recoverRootfs(); // as Engine.boot does
        monitor = new ExitMonitor(tasks, new Reconciler(service, tasks, liveRestore), service);
        monitor.start();
        monitor.firstReconcile().join();
    }

    /** Drops the engine's memory and builds it again from the data directory; the supervisor keeps running. */
    public void restartEngine() throws IOException {
        stopEngine();
        events.clear();
        startEngine();
    }

    private void stopEngine() {
        collector.interrupt();
        monitor.close();
        service.close();
        bus.close();
        channel.shutdownNow();
    }

    public Container create(String name, String json) throws IOException {
        JsonNode body = Json.MAPPER.readTree(json);
        return service.create(name, CreateRequest.parse(body));
    }

    public Container run(String name, String json) throws IOException {
        Container c = create(name, json);
        service.start(c);
        return c;
    }

    public List<String> actions(String id) {
        return events.stream().filter(e -> e.actorId().equals(id)).map(Event::action).toList();
    }

    private static final Duration POLL = Duration.ofMillis(5);

    /** Polls {@code condition} until it holds (5 s at most); the fake answers within milliseconds. */
    public static void await(String what, BooleanSupplier condition) {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(5));
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(deadline)) {
                fail("timed out waiting for " + what);
            }
            LockSupport.parkNanos(POLL.toNanos());
        }
    }

    private ContainerImages images() {
        ContainerImages fake = fakeImages();
        if (imageRootfs == null) {
            return fake;
        }
        return new ContainerImages() {
            @Override
            public Image resolve(String ref) {
                return fake.resolve(ref);
            }

            @Override
            public Optional<String> idOf(String ref) {
                return fake.idOf(ref);
            }

            @Override
            public void prepareRootfs(Image image, Path containerDir) throws IOException {
                Snapshots.prepare(List.of(imageRootfs), containerDir);
            }

            @Override
            public void mountRootfs(String imageId, Path containerDir) throws IOException {
                Snapshots.ensureMounted(List.of(imageRootfs), containerDir);
            }

            @Override
            public void removeRootfs(String imageId, Path containerDir) throws IOException {
                Snapshots.remove(containerDir);
            }

            @Override
            public void unmountRootfs(String imageId, Path containerDir) throws IOException {
                Snapshots.unmountForGood(containerDir);
            }
        };
    }

    private static ContainerImages fakeImages() {
        return new ContainerImages() {
            @Override
            public Image resolve(String ref) {
                if (ref.equals("busybox") || ref.equals("busybox:latest")) {
                    return BUSYBOX;
                }
                throw ApiException.notFound("No such image: " + ref + ":latest");
            }

            @Override
            public Optional<String> idOf(String ref) {
                return ref.startsWith("busybox") ? Optional.of(BUSYBOX.id()) : Optional.empty();
            }

            @Override
            public void prepareRootfs(Image image, Path containerDir) throws IOException {
                Path target = containerDir.resolve("rootfs");
                Files.createDirectories(target.resolve("etc"));
                Files.writeString(target.resolve("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\n");
            }

            @Override
            public void removeRootfs(String imageId, Path containerDir) throws IOException {
                Path rootfs = containerDir.resolve("rootfs");
                if (Files.exists(rootfs)) {
                    try (Stream<Path> paths = Files.walk(rootfs)) {
                        for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                            Files.delete(p);
                        }
                    }
                }
            }
        };
    }

    @Override
    public void close() throws InterruptedException {
        stopEngine();
        supervisor.close();
    }
}
