package dev.holdfast.supervisor;

import dev.holdfast.supervisor.config.SupervisorConfig;
import dev.holdfast.supervisor.server.SupervisorServer;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.logging.Level;
import java.util.logging.Logger;
import sun.misc.Signal;

/**
 * {@code java -jar holdfast-supervisor.jar [--config FILE] [--debug]}. Serves until SIGTERM or SIGINT, then stops
 * serving and exits; containers and their shims keep running either way.
 */
public final class SupervisorMain {
    private static final Logger LOG = Logger.getLogger(SupervisorMain.class.getName());

    private SupervisorMain() {}

    public static void main(String[] args) {
        Path configFile = null;
        boolean debug = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--config" -> {
                    if (i + 1 >= args.length) {
                        usage("--config needs a file");
                    }
                    configFile = Path.of(args[++i]);
                }
                case "--debug" -> debug = true;
                case "-h", "--help" -> usage(null);
                default -> usage("unknown argument " + args[i]);
            }
        }
        SupervisorLog.install(debug ? Level.FINE : Level.INFO);
        SupervisorServer server;
        try {
            SupervisorConfig config = configFile == null ? SupervisorConfig.defaults()
                    : SupervisorConfig.load(configFile);
            LOG.info("holdfast supervisor, pid " + ProcessHandle.current().pid() + ", " + String.join(", ",
                    config.describe()));
            server = SupervisorServer.start(config);
        } catch (NoSuchFileException e) {
            LOG.severe("cannot start: no such file: " + e.getMessage());
            System.exit(1);
            return;
        } catch (Exception e) {
            // IllegalStateException: another supervisor runs; IllegalArgumentException: a bad config. No trace.
            boolean expected = e instanceof IllegalStateException || e instanceof IllegalArgumentException;
            LOG.log(Level.SEVERE, "cannot start: " + e.getMessage(), expected ? null : e);
            System.exit(1);
            return;
        }
        // SIGTERM and SIGINT stop serving, then main returns from awaitTermination and exits 0. Handling the
        // signals ourselves (rather than only a shutdown hook) keeps logging alive until the end.
        for (String name : new String[] {"TERM", "INT"}) {
            try {
                Signal.handle(new Signal(name), s -> stop(server, s));
            } catch (IllegalArgumentException e) {
                LOG.warning("cannot handle SIG" + name + " (the shutdown hook still stops serving): " + e.getMessage());
            }
        }
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "shutdown"));
        try {
            server.awaitTermination();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LOG.info("stopped");
        System.exit(0);
    }

    private static void stop(SupervisorServer server, Signal signal) {
        LOG.info("SIG" + signal.getName() + ": stopping");
        server.close();
    }

    private static void usage(String error) {
        if (error != null) {
            System.err.println("holdfast-supervisor: " + error);
        }
        System.err.println("usage: java -jar holdfast-supervisor.jar [--config FILE] [--debug]");
        System.exit(error == null ? 0 : 2);
    }
}
