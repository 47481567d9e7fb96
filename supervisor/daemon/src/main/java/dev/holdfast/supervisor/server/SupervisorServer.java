package dev.holdfast.supervisor.server;

import dev.holdfast.supervisor.cgroup.MemoryCgroups;
import dev.holdfast.supervisor.config.SupervisorConfig;
import dev.holdfast.supervisor.runc.Runc;
import dev.holdfast.supervisor.runc.TaskRuntimes;
import dev.holdfast.supervisor.shim.AdoptedTask;
import dev.holdfast.supervisor.shim.LostShims;
import dev.holdfast.supervisor.shim.ShimAdoption;
import dev.holdfast.supervisor.shim.ShimLauncher;
import dev.holdfast.supervisor.task.TaskEvents;
import dev.holdfast.supervisor.task.TaskManager;
import dev.holdfast.supervisor.task.TaskRegistry;
import dev.holdfast.supervisor.task.TaskService;
import io.grpc.Server;
import io.grpc.netty.NettyServerBuilder;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import jnr.posix.POSIX;
import jnr.posix.POSIXFactory;

/**
 * A running supervisor: state directories, the pid-file lock, the adopted tasks and the gRPC server on the unix
 * socket. {@link #close()} stops serving and leaves every task and shim running.
 */
public final class SupervisorServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(SupervisorServer.class.getName());
    private static final Duration SHIM_LAUNCH_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration RUNC_TIMEOUT = Duration.ofSeconds(60);

    private final SupervisorConfig config;
    private final PidFile pidFile;
    private final TaskManager tasks;
    private final TaskService service;
    private final Server server;
    private final EpollEventLoopGroup boss;
    private final EpollEventLoopGroup workers;
    private final ExecutorService executor;
    private boolean closed;

    private SupervisorServer(SupervisorConfig config, PidFile pidFile, TaskManager tasks, TaskService service,
            Server server, EpollEventLoopGroup boss, EpollEventLoopGroup workers, ExecutorService executor) {
        this.config = config;
        this.pidFile = pidFile;
        this.tasks = tasks;
        this.service = service;
        this.server = server;
        this.boss = boss;
        this.workers = workers;
        this.executor = executor;
    }

    /**
     * Creates the state directories, takes the pid file, adopts the tasks found on disk and starts serving.
     *
     * @throws IllegalStateException when another supervisor runs on this state or socket
     */
    public static SupervisorServer start(SupervisorConfig config) throws IOException {
        for (Path dir : List.of(config.run(), config.stateDir(), config.tasksDir(), config.runcRoot(),
                config.shimSocketDir(), config.socket().toAbsolutePath().getParent())) {
            Files.createDirectories(dir);
        }
        PidFile pidFile = PidFile.acquire(config.pidFile());
        if (!Files.isExecutable(config.shim())) {
            LOG.warning("shim " + config.shim() + " is not an executable file: creates will fail");
        }
        if (!Files.isExecutable(config.runc())) {
            LOG.warning("runc " + config.runc() + " is not an executable file: creates will fail");
        }
        TaskManager tasks = null;
        EpollEventLoopGroup boss = null;
        EpollEventLoopGroup workers = null;
        ExecutorService executor = null;
        try {
            SocketProbe.clearStale(config.socket());
            TaskRuntimes runtimes = new TaskRuntimes(config.tasksDir(),
                    new Runc(config.runc(), config.runcRoot(), RUNC_TIMEOUT), config.runtimesDir(), RUNC_TIMEOUT);
            LostShims lostShims = new LostShims(runtimes, Clock.systemUTC());
            tasks = new TaskManager(config, new TaskRegistry(), new TaskEvents(),
                    new ShimLauncher(config.shim(), runtimes, SHIM_LAUNCH_TIMEOUT),
                    runtimes, lostShims, MemoryCgroups.ofHost());
            List<AdoptedTask> found = new ShimAdoption(config.tasksDir(), config::shimSocket, lostShims, runtimes)
                    .scan();
            tasks.adopt(found);
            LOG.info("adopted " + found.size() + " task(s), "
                    + found.stream().filter(AdoptedTask::isLive).count() + " live");

            boss = new EpollEventLoopGroup(1, new DefaultThreadFactory("grpc-boss", true));
            workers = new EpollEventLoopGroup(2, new DefaultThreadFactory("grpc-worker", true));
            executor = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("rpc-", 0).factory());
            TaskService service = new TaskService(tasks);
            Server server = NettyServerBuilder.forAddress(new DomainSocketAddress(config.socket().toString()))
                    .channelType(EpollServerDomainSocketChannel.class)
                    .bossEventLoopGroup(boss)
                    .workerEventLoopGroup(workers)
                    .executor(executor)
                    .permitKeepAliveTime(5, TimeUnit.SECONDS)
                    .permitKeepAliveWithoutCalls(true)
                    .addService(service)
                    .build();
            bindPrivately(server, config.socket());
            LOG.info("serving on " + config.socket());
            return new SupervisorServer(config, pidFile, tasks, service, server, boss, workers, executor);
        } catch (IOException | RuntimeException e) {
            if (tasks != null) {
                tasks.close();
            }
            if (boss != null) {
                boss.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            }
            if (workers != null) {
                workers.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            }
            if (executor != null) {
                executor.shutdownNow();
            }
            pidFile.close();
            throw e;
        }
    }

    /** Binds with umask 077, so the socket is never reachable by others, then sets mode 0600 explicitly. */
    private static void bindPrivately(Server server, Path socket) throws IOException {
        POSIX posix = POSIXFactory.getNativePOSIX();
        int old = posix.umask(0077);
        try {
            server.start();
        } finally {
            posix.umask(old);
        }
        Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
    }

    public SupervisorConfig config() {
        return config;
    }

    /** The task operations behind the API (for embedding and tests). */
    public TaskManager taskManager() {
        return tasks;
    }

    /** The gRPC service (for tests). */
    public TaskService service() {
        return service;
    }

    /** Blocks until the server has stopped. */
    public void awaitTermination() throws InterruptedException {
        server.awaitTermination();
    }

    /** Stops serving: open calls end with UNAVAILABLE, waiters let go of their shims. Containers keep running. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        LOG.info("shutting down; tasks keep running");
        server.shutdown();
        service.endLongCalls();
        tasks.close();
        try {
            if (!server.awaitTermination(2, TimeUnit.SECONDS)) {
                server.shutdownNow();
                server.awaitTermination(2, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            server.shutdownNow();
            Thread.currentThread().interrupt();
        }
        executor.shutdownNow();
        boss.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        workers.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        try {
            Files.deleteIfExists(config.socket());
        } catch (IOException e) {
            LOG.warning("cannot remove " + config.socket() + ": " + e);
        }
        try {
            pidFile.close();
        } catch (IOException e) {
            LOG.warning("cannot remove " + config.pidFile() + ": " + e);
        }
    }
}
