package dev.holdfast.bench.measure;

import dev.holdfast.bench.harness.Args;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * How the bench takes a daemon under test down and brings it back: dockerd by its own command line
 * ({@link SameCommandLine}), the holdfast engine through {@code scripts/holdfast} as an operator would
 * ({@link HoldfastScript}). Chosen per daemon by the arguments: {@code --ctl NAME=SCRIPT --root NAME=DIR} for the
 * latter, {@code --pidfile NAME=FILE --log NAME=FILE} for both.
 */
interface DaemonControl {
    /** A kill -9: sent at {@code t0} (or first seen taking effect), the process gone at {@code t1}. */
    record Killed(long t0, long t1) {}

    /** What brings the daemon back up after a kill or a restart. */
    interface Comeback {
        /** Throws when it has failed: the restarted daemon or the script that starts it exited badly. */
        void check();

        /** The new daemon process, -1 while it is not known. */
        long pid();

        /** Once the daemon serves again: waits for whatever started it, and throws if that failed. */
        void finish() throws Exception;
    }

    /** The daemon's pid now, from its pid file. */
    long pid() throws IOException;

    /** kill -9 of the daemon; returns once it is gone. */
    Killed kill() throws Exception;

    /** Starts the daemon again after {@link #kill}. */
    Comeback startAgain() throws Exception;

    /** A graceful restart: returns once the new daemon has been started (holdfast: once the restart is done). */
    Comeback restart() throws Exception;

    static DaemonControl of(Args args, String name) {
        Path pidfile = Path.of(args.requireFor("pidfile", name));
        Path log = Path.of(args.requireFor("log", name));
        String script = args.byName("ctl").get(name);
        if (script != null) {
            return new HoldfastScript(Path.of(script), Path.of(args.requireFor("root", name)), pidfile, log);
        }
        return new SameCommandLine(pidfile, log);
    }

    /** The first number in a pid file. */
    static long readPid(Path pidfile) throws IOException {
        try {
            return Long.parseLong(Files.readString(pidfile).strip().split("\\s+")[0]);
        } catch (NumberFormatException e) {
            throw new IOException(pidfile + " holds no pid");
        }
    }
}
