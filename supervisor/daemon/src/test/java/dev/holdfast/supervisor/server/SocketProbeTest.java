package dev.holdfast.supervisor.server;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class SocketProbeTest {
    @Test
    void staleSocketIsRemovedLiveOneRefused() throws IOException {
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "hfs-");
        Path sock = dir.resolve("s.sock");
        try {
            SocketProbe.clearStale(sock); // nothing there
            try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
                server.bind(UnixDomainSocketAddress.of(sock));
                assertThrows(IllegalStateException.class, () -> SocketProbe.clearStale(sock));
                assertTrue(Files.exists(sock));
            }
            // Closed listener: the file stays behind, stale.
            assertTrue(Files.exists(sock));
            SocketProbe.clearStale(sock);
            assertFalse(Files.exists(sock));
            Files.writeString(sock, "not a socket");
            assertThrows(IllegalStateException.class, () -> SocketProbe.clearStale(sock));
        } finally {
            Files.deleteIfExists(sock);
            Files.deleteIfExists(dir);
        }
    }

    @Test
    void pidFileLockIsExclusive() throws IOException {
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "hfs-");
        Path pid = dir.resolve("supervisor.pid");
        try (PidFile held = PidFile.acquire(pid)) {
            assertTrue(Files.readString(pid).strip().equals(Long.toString(ProcessHandle.current().pid())));
            assertThrows(IllegalStateException.class, () -> PidFile.acquire(pid));
        } finally {
            Files.deleteIfExists(pid);
            Files.deleteIfExists(dir);
        }
        assertFalse(Files.exists(pid));
    }
}
