package dev.holdfast.engine.api;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.channel.unix.DomainSocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.CompletableFuture;

/** The Docker API endpoint: HTTP/1.1 on a unix socket (mode 0660), dispatched through a {@link Router}. */
public final class ApiServer implements AutoCloseable {
    private final Channel channel;
    private final EventLoopGroup group;

    private ApiServer(Channel channel, EventLoopGroup group) {
        this.channel = channel;
        this.group = group;
    }

    public static ApiServer bind(Path socket, Router router, String serverVersion) throws IOException {
        return bind(socket, router, router, CompletableFuture.completedFuture(null), serverVersion);
    }

    /**
     * Listens at once, before {@code router} is complete: until {@code serving} completes, {@code bootRouter}'s
     * routes ({@code /_ping}, {@code /version}) are answered and every other request is held, accepted, then routed
     * through {@code router} once it does.
     */
    public static ApiServer bind(Path socket, Router router, Router bootRouter, CompletableFuture<Void> serving,
            String serverVersion) throws IOException {
        Files.createDirectories(socket.getParent());
        Files.deleteIfExists(socket);
        ResponseHeaders headers = new ResponseHeaders(serverVersion);
        EventLoopGroup group = new EpollEventLoopGroup(1);
        try {
            Channel channel = new ServerBootstrap()
                    .group(group)
                    .channel(EpollServerDomainSocketChannel.class)
                    // The docker CLI half-closes an attach connection when it has no stdin to send, and still
                    // reads the container's output: a half-close must not close the connection.
                    .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                    .childHandler(new ChannelInitializer<DomainSocketChannel>() {
                        @Override
                        protected void initChannel(DomainSocketChannel ch) {
                            ch.pipeline().addLast(new HttpServerCodec(),
                                    new HttpDispatcher(router, bootRouter, serving, headers));
                        }
                    })
                    .bind(new DomainSocketAddress(socket.toString()))
                    .syncUninterruptibly()
                    .channel();
            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-rw----"));
            return new ApiServer(channel, group);
        } catch (RuntimeException e) {
            group.shutdownGracefully();
            throw new IOException("cannot listen on " + socket + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        group.shutdownGracefully();
    }
}
