package dev.holdfast.supervisor.server;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * {@code <run>/supervisor.pid}, held with an exclusive lock for the supervisor's lifetime. The kernel drops the lock
 * when the process dies, however it dies, so a held lock always means a live supervisor.
 */
public final class PidFile implements AutoCloseable {
    private final Path path;
    private final FileChannel channel;
    private final FileLock lock;

    private PidFile(Path path, FileChannel channel, FileLock lock) {
        this.path = path;
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Locks the pid file and writes our pid into it.
     *
     * @throws IllegalStateException when another live process holds it
     */
    public static PidFile acquire(Path path) throws IOException {
        FileChannel ch = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = ch.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        }
        if (lock == null) {
            String other;
            try {
                other = Files.readString(path, StandardCharsets.US_ASCII).strip();
            } catch (IOException e) {
                other = "?";
            }
            ch.close();
            throw new IllegalStateException("another supervisor (pid " + other + ") holds " + path);
        }
        ch.truncate(0);
        ch.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
        ch.force(true);
        return new PidFile(path, ch, lock);
    }

    /** Removes the file and releases the lock. */
    @Override
    public void close() throws IOException {
        Files.deleteIfExists(path);
        lock.release();
        channel.close();
    }
}
