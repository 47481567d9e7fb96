package dev.holdfast.supervisor.server;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/** Makes the supervisor socket's path free: a stale socket file is removed, a live one means someone else serves. */
public final class SocketProbe {
    private SocketProbe() {}

    /**
     * @throws IllegalStateException when something accepts connections on {@code socket}, or the path is not a socket
     */
    public static void clearStale(Path socket) throws IOException {
        if (!Files.exists(socket, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        BasicFileAttributes attrs = Files.readAttributes(socket, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (!attrs.isOther()) {
            throw new IllegalStateException(socket + " exists and is not a socket");
        }
        if (answers(socket)) {
            throw new IllegalStateException("another supervisor answers on " + socket);
        }
        Files.delete(socket);
    }

    static boolean answers(Path socket) {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
