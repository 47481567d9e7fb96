package dev.holdfast.supervisor.client;

import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.unix.DomainSocketAddress;
import java.nio.file.Path;

/** Opens gRPC channels to a supervisor listening on a unix socket. */
public final class SupervisorChannels {
    private SupervisorChannels() {}

    /**
     * A channel to the supervisor at {@code socket}. The channel reconnects by itself when the supervisor restarts;
     * calls made while it is down fail with UNAVAILABLE.
     */
    public static ManagedChannel connect(Path socket) {
        return NettyChannelBuilder.forAddress(new DomainSocketAddress(socket.toString()))
                .eventLoopGroup(new EpollEventLoopGroup(1))
                .channelType(EpollDomainSocketChannel.class)
                .usePlaintext()
                .build();
    }
}
