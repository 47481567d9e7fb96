package dev.holdfast.supervisor.client;

import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.nio.file.Path;

/** Opens gRPC channels to a supervisor listening on a unix socket. */
public final class SupervisorChannels {
    private SupervisorChannels() {}

    /** One small event loop (daemon thread) shared by every channel from {@link #connect(Path)}. */
    private static final class SharedLoop {
        static final EventLoopGroup GROUP = new EpollEventLoopGroup(1,
                new DefaultThreadFactory("supervisor-client", true));
    }

    /**
     * A channel to the supervisor at {@code socket}. The channel reconnects by itself when the supervisor restarts;
     * calls made while it is down fail with UNAVAILABLE. Channels share one event loop, so shutting a channel down
     * releases everything it holds.
     */
    public static ManagedChannel connect(Path socket) {
        return connect(socket, SharedLoop.GROUP);
    }

    /** As {@link #connect(Path)}, on the caller's epoll event loop group (which the caller shuts down). */
    public static ManagedChannel connect(Path socket, EventLoopGroup group) {
        return NettyChannelBuilder.forAddress(new DomainSocketAddress(socket.toString()))
                .eventLoopGroup(group)
                .channelType(EpollDomainSocketChannel.class)
                .usePlaintext()
                .build();
    }
}
