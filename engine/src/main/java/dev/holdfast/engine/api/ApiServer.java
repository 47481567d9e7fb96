package dev.holdfast.engine.api;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.channel.unix.DomainSocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The Docker API endpoint: HTTP/1.1 on a unix socket (bound here with mode 0660, or inherited), dispatched through a
 * {@link Router}. {@link #close} drains: the socket stops being accepted on, streams end, requests in progress are
 * answered, so that a restart by handover (the next engine accepts on the same socket) fails no request.
 */
public final class ApiServer implements AutoCloseable {
    /** How long {@link #close} lets requests in progress finish (a {@code docker stop} takes up to 10 s). */
    private static final Duration DRAIN_LIMIT = Duration.ofSeconds(12);

    private final ApiSocket socket;
    private final ServerBootstrap bootstrap;
    private final EventLoopGroup group;
    private final ChannelGroup connections;
    private final AtomicBoolean draining;
    private volatile Channel channel;

    private ApiServer(ApiSocket socket, ServerBootstrap bootstrap, EventLoopGroup group, ChannelGroup connections,
            AtomicBoolean draining) {
        this.socket = socket;
        this.bootstrap = bootstrap;
        this.group = group;
        this.connections = connections;
        this.draining = draining;
    }

    public static ApiServer bind(Path socket, Router router, String serverVersion) throws IOException {
        ApiServer server = prepare(new ApiSocket.Bound(socket), router, router, CompletableFuture.completedFuture(null),
                serverVersion);
        server.listen();
        return server;
    }

    /**
     * Everything but the listening: the transport, the pipeline, an inherited socket made non-blocking. A standby
     * engine does this before it may take the socket; {@link #listen} is then quick. Until {@code serving}
     * completes, {@code bootRouter}'s routes ({@code /_ping}, {@code /version}) are answered and every other request
     * is held, accepted, then routed through {@code router} once it does.
     */
    public static ApiServer prepare(ApiSocket socket, Router router, Router bootRouter,
            CompletableFuture<Void> serving, String serverVersion) throws IOException {
        if (socket instanceof ApiSocket.Inherited inherited) {
            inherited.makeNonBlocking();
        }
        ResponseHeaders headers = new ResponseHeaders(serverVersion);
        EventLoopGroup group = new EpollEventLoopGroup(1);
        ChannelGroup connections = new DefaultChannelGroup("api connections", GlobalEventExecutor.INSTANCE);
        AtomicBoolean draining = new AtomicBoolean();
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(group)
                // The docker CLI half-closes an attach connection when it has no stdin to send, and still
                // reads the container's output: a half-close must not close the connection.
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childHandler(new ChannelInitializer<DomainSocketChannel>() {
                    @Override
                    protected void initChannel(DomainSocketChannel ch) {
                        connections.add(ch);
                        ch.pipeline().addLast(new HttpServerCodec(),
                                new HttpDispatcher(router, bootRouter, serving, headers, draining));
                    }
                });
        new HttpServerCodec(); // its classes, before the first connection
        ApiServer server = new ApiServer(socket, bootstrap, group, connections, draining);
        if (socket instanceof ApiSocket.Inherited inherited) {
            server.registerIdle(inherited);
        }
        return server;
    }

    /**
     * Registers the inherited socket with the event loop, not accepting yet: a restart's new engine must leave the
     * connections to the engine still serving until its go, and registering (the event loop's thread, the server
     * pipeline, epoll) after go took ~18 ms of a takeover (measured). {@link #listen} then only starts accepting.
     */
    private void registerIdle(ApiSocket.Inherited inherited) throws IOException {
        try {
            channel = bootstrap.clone()
                    .option(ChannelOption.AUTO_READ, false)
                    .channelFactory(() -> new EpollServerDomainSocketChannel(inherited.fd(), true))
                    .register()
                    .syncUninterruptibly()
                    .channel();
        } catch (RuntimeException e) {
            group.shutdownGracefully();
            throw new IOException("cannot listen on " + socket + ": " + e.getMessage(), e);
        }
    }

    /** Binds the socket, or starts accepting on the inherited one. */
    public void listen() throws IOException {
        try {
            switch (socket) {
                case ApiSocket.Bound bound -> channel = bind(bootstrap, bound.path());
                case ApiSocket.Inherited inherited -> channel.config().setAutoRead(true);
            }
        } catch (RuntimeException e) {
            group.shutdownGracefully();
            throw new IOException("cannot listen on " + socket + ": " + e.getMessage(), e);
        }
    }

    private static Channel bind(ServerBootstrap bootstrap, Path socket) throws IOException {
        Files.createDirectories(socket.getParent());
        Files.deleteIfExists(socket);
        Channel channel = bootstrap.channel(EpollServerDomainSocketChannel.class)
                .bind(new DomainSocketAddress(socket.toString()))
                .syncUninterruptibly()
                .channel();
        Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-rw----"));
        return channel;
    }

    /**
     * Stops accepting (an inherited socket stays open in whoever passed it: new connections wait there for the next
     * engine), ends every stream, lets requests in progress be answered up to {@link #DRAIN_LIMIT}, then closes.
     *
     * @return true when every connection had closed within the limit: no request was cut
     */
    public boolean drainAndClose() {
        if (channel != null) {
            channel.close().syncUninterruptibly();
        }
        draining.set(true);
        connections.forEach(c -> c.pipeline().fireUserEventTriggered(HttpDispatcher.DRAIN));
        boolean drained = connections.newCloseFuture().awaitUninterruptibly(DRAIN_LIMIT.toMillis(),
                TimeUnit.MILLISECONDS);
        connections.close().awaitUninterruptibly(1, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        return drained;
    }

    @Override
    public void close() {
        drainAndClose();
    }
}
