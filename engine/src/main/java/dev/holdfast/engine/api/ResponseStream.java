package dev.holdfast.engine.api;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import java.io.IOException;
import java.io.OutputStream;

/**
 * The body of a streamed response (chunked HTTP, or the raw bytes of a hijacked connection), written from the
 * endpoint's thread. Writes block while the client is slower than us, so a follower never buffers without bound.
 */
public class ResponseStream extends OutputStream {
    private final Channel channel;
    private final boolean chunked;
    private volatile boolean closed;

    ResponseStream(Channel channel, boolean chunked) {
        this.channel = channel;
        this.chunked = chunked;
    }

    /** True while the client is still connected; followers poll this to stop when the client goes away. */
    public boolean isOpen() {
        return !closed && channel.isActive();
    }

    /** Completes when the client closes the connection. */
    public ChannelFuture closeFuture() {
        return channel.closeFuture();
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] bytes, int off, int len) throws IOException {
        if (len == 0) {
            return;
        }
        if (!isOpen()) {
            throw new IOException("client disconnected");
        }
        Object message = Unpooled.copiedBuffer(bytes, off, len);
        if (chunked) {
            message = new io.netty.handler.codec.http.DefaultHttpContent((io.netty.buffer.ByteBuf) message);
        }
        ChannelFuture written = channel.writeAndFlush(message);
        if (!channel.isWritable()) {
            written.awaitUninterruptibly();
            if (!written.isSuccess()) {
                throw new IOException("writing to the client failed", written.cause());
            }
        }
    }

    /** Ends the response. A chunked response keeps the connection for the next request; a hijacked one closes. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (!channel.isActive()) {
            return;
        }
        if (chunked) {
            channel.writeAndFlush(io.netty.handler.codec.http.LastHttpContent.EMPTY_LAST_CONTENT);
        } else {
            channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(f -> channel.close());
        }
    }
}
