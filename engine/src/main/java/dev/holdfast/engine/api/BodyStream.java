package dev.holdfast.engine.api;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;

/**
 * A request body as an InputStream for a blocking endpoint, fed chunk by chunk from the event loop. When the
 * endpoint reads slower than the client sends (an image upload), the channel stops reading until it catches up.
 */
final class BodyStream extends InputStream {
    private static final int PAUSE_ABOVE = 4 << 20;
    private static final int RESUME_BELOW = 1 << 20;

    private final Channel channel;
    private final ArrayDeque<ByteBuf> chunks = new ArrayDeque<>();
    private int buffered;
    private boolean ended;
    private boolean aborted;

    BodyStream(Channel channel) {
        this.channel = channel;
    }

    /** Called on the event loop; takes ownership of {@code chunk}. */
    synchronized void offer(ByteBuf chunk) {
        if (ended || aborted) {
            chunk.release();
            return;
        }
        chunks.add(chunk);
        buffered += chunk.readableBytes();
        if (buffered > PAUSE_ABOVE) {
            channel.config().setAutoRead(false);
        }
        notifyAll();
    }

    synchronized void end() {
        ended = true;
        notifyAll();
    }

    /** The connection is gone: readers get an IOException instead of waiting forever. */
    synchronized void abort() {
        aborted = true;
        chunks.forEach(ByteBuf::release);
        chunks.clear();
        notifyAll();
    }

    @Override
    public synchronized int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public synchronized int read(byte[] into, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        while (chunks.isEmpty()) {
            if (aborted) {
                throw new IOException("client closed the connection before the request body ended");
            }
            if (ended) {
                return -1;
            }
            try {
                wait();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while reading the request body", e);
            }
        }
        ByteBuf head = chunks.peek();
        int n = Math.min(len, head.readableBytes());
        head.readBytes(into, off, n);
        if (!head.isReadable()) {
            chunks.poll().release();
        }
        buffered -= n;
        if (buffered < RESUME_BELOW && !channel.config().isAutoRead()) {
            channel.config().setAutoRead(true);
            channel.read();
        }
        return n;
    }

    @Override
    public synchronized void close() {
        chunks.forEach(ByteBuf::release);
        chunks.clear();
        buffered = 0;
        ended = true;
        if (!channel.config().isAutoRead()) {
            channel.config().setAutoRead(true);
        }
    }
}
