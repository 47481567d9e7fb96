package dev.holdfast.supervisor.testing;

import dev.holdfast.supervisor.api.TasksGrpc;
import dev.holdfast.supervisor.client.SupervisorChannels;
import dev.holdfast.supervisor.server.SupervisorServer;
import io.grpc.ManagedChannel;
import java.io.IOException;
import java.util.concurrent.TimeUnit;

/** A SupervisorServer in this JVM on a TestHost, with a client channel to it. */
public final class InProcessSupervisor implements AutoCloseable {
    public final SupervisorServer server;
    public final ManagedChannel channel;
    public final TasksGrpc.TasksStub async;

    private InProcessSupervisor(SupervisorServer server) {
        this.server = server;
        this.channel = SupervisorChannels.connect(server.config().socket());
        this.async = TasksGrpc.newStub(channel);
    }

    public static InProcessSupervisor start(TestHost host) throws IOException {
        return new InProcessSupervisor(SupervisorServer.start(host.config));
    }

    /** A blocking stub with a fresh 60 s deadline. */
    public TasksGrpc.TasksBlockingStub tasks() {
        return TasksGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS);
    }

    /** Stops the supervisor (tasks keep running) and the channel. */
    @Override
    public void close() throws InterruptedException {
        channel.shutdownNow();
        server.close();
        channel.awaitTermination(5, TimeUnit.SECONDS);
    }
}
