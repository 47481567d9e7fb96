package dev.holdfast.engine;

import dev.holdfast.engine.api.ApiSocket;
import dev.holdfast.engine.config.EngineConfig;
import dev.holdfast.engine.handover.HolderLink;
import dev.holdfast.engine.container.ContainerStore;
import java.nio.file.Path;
import java.util.logging.Level;
import java.util.logging.Logger;

/** {@code java -jar holdfast-engine.jar --config FILE}. */
public final class EngineMain {
    /** grpc-netty asks for SO_KEEPALIVE, which unix sockets lack: one warning per connection. Held: loggers are weak. */
    private static final Logger NETTY_BOOTSTRAP = Logger.getLogger("io.netty.bootstrap");

    private EngineMain() {}

    public static void main(String[] args) throws Exception {
        // Jackson's reader of the container records takes longer to build than the JVM takes to start: beside the
        // config's parsing, on a second core, so that the records are read at once (see Engine.start).
        Thread.ofPlatform().name("engine-boot-json").daemon().start(ContainerStore::prepareReader);
        NETTY_BOOTSTRAP.setLevel(Level.SEVERE);
        EngineConfig config = EngineConfig.defaults();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--config") && i + 1 < args.length) {
                config = EngineConfig.load(Path.of(args[++i]));
            } else {
                System.err.println("usage: holdfast-engine [--config FILE]");
                System.exit(2);
            }
        }
        HolderLink holder = HolderLink.fromEnvironment(System.getenv());
        ApiSocket socket = ApiSocket.choose(config.apiSocket(), System.getenv(), ProcessHandle.current().pid());
        Engine engine = Engine.start(config, socket, holder);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> engine.close(() -> {
            // A request cut by the drain limit may have left work half-done: without "released" the holder waits
            // for this process to exit and tells the next engine a plain go, so it looks for leftovers.
            if (engine.drained()) {
                holder.released();
            }
        }), "engine-shutdown"));
        holder.serving();
        engine.awaitClose();
    }
}
