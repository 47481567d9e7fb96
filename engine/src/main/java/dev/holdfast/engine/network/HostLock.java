package dev.holdfast.engine.network;

import dev.holdfast.engine.errdefs.DomainException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One netavark call at a time on the whole host. netavark 1.4 takes no lock of its own, and its iptables chains
 * (NETAVARK_FORWARD, NETAVARK-HOSTPORT-*) are shared by every network of every instance: two calls at once create
 * a chain twice or append to one the other is deleting. A file lock orders the engines of all instances; the JVM
 * lock orders this engine's threads (a JVM may not hold two locks on one file).
 */
final class HostLock implements AutoCloseable {
    private static final Path FILE = Path.of("/run/lock/holdfast-netavark.lock");
    private static final ReentrantLock IN_PROCESS = new ReentrantLock();

    private final FileChannel channel;
    private final FileLock lock;

    private HostLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    static HostLock acquire(String what) {
        IN_PROCESS.lock();
        FileChannel channel = null;
        try {
            Files.createDirectories(FILE.getParent());
            channel = FileChannel.open(FILE, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            return new HostLock(channel, channel.lock());
        } catch (IOException | RuntimeException e) {
            closeQuietly(channel);
            IN_PROCESS.unlock();
            throw DomainException.system(what + ": locking " + FILE + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            lock.release();
        } catch (IOException e) {
            // Closing the channel below releases it as well.
        } finally {
            closeQuietly(channel);
            IN_PROCESS.unlock();
        }
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                // Nothing is left to do with a lock file that cannot be closed.
            }
        }
    }
}
