package dev.holdfast.engine.api;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import jnr.constants.platform.Fcntl;
import jnr.constants.platform.OpenFlags;
import jnr.posix.POSIX;
import jnr.posix.POSIXFactory;

/**
 * Where the Docker API listens: a unix socket the engine binds itself, or a listening socket it inherits the
 * systemd way ({@code LISTEN_FDS}/{@code LISTEN_PID}, the first passed socket is fd 3), from a systemd socket unit
 * or from {@code holdfast-holder}, which keep the socket while engines come and go.
 */
public sealed interface ApiSocket {
    /** sd_listen_fds(3)'s SD_LISTEN_FDS_START. */
    int FIRST_PASSED_FD = 3;

    record Bound(Path path) implements ApiSocket {
        @Override
        public String toString() {
            return path.toString();
        }
    }

    record Inherited(int fd) implements ApiSocket {
        /**
         * Makes the socket non-blocking, as netty's edge-triggered accept loop needs (it accepts until EAGAIN; a
         * blocking socket would hang the event loop). systemd passes sockets blocking unless told otherwise.
         */
        void makeNonBlocking() throws IOException {
            POSIX posix = POSIXFactory.getNativePOSIX();
            int flags = posix.fcntl(fd, Fcntl.F_GETFL);
            if (flags < 0 || posix.fcntlInt(fd, Fcntl.F_SETFL, flags | OpenFlags.O_NONBLOCK.intValue()) < 0) {
                throw new IOException("fcntl O_NONBLOCK on the inherited socket (fd " + fd + ") failed: errno "
                        + posix.errno());
            }
        }

        @Override
        public String toString() {
            return "the inherited socket (fd " + fd + ", LISTEN_FDS)";
        }
    }

    /** The inherited socket when {@code env} passes one to process {@code pid}, else {@code configured}. */
    static ApiSocket choose(Path configured, Map<String, String> env, long pid) {
        String fds = env.get("LISTEN_FDS");
        String listenPid = env.get("LISTEN_PID");
        if (fds == null || listenPid == null || !listenPid.trim().equals(Long.toString(pid))) {
            return new Bound(configured);
        }
        try {
            if (Integer.parseInt(fds.trim()) >= 1) {
                return new Inherited(FIRST_PASSED_FD);
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("LISTEN_FDS is not a number: " + fds, e);
        }
        return new Bound(configured);
    }
}
