package dev.holdfast.engine;

import dev.holdfast.engine.api.ApiServer;
import dev.holdfast.engine.api.Router;
import dev.holdfast.engine.api.SystemRoutes;
import dev.holdfast.engine.config.EngineConfig;
import java.io.IOException;
import java.util.concurrent.CountDownLatch;

/** Wires the engine together: stores, the supervisor connection, reconcile, and the API server. */
public final class Engine implements AutoCloseable {
    private final ApiServer server;
    private final CountDownLatch closed = new CountDownLatch(1);

    private Engine(ApiServer server) {
        this.server = server;
    }

    public static Engine start(EngineConfig config) throws IOException {
        Router router = new Router();
        new SystemRoutes().register(router);
        return new Engine(ApiServer.bind(config.apiSocket(), router, SystemRoutes.ENGINE_VERSION));
    }

    public void awaitClose() throws InterruptedException {
        closed.await();
    }

    @Override
    public void close() {
        server.close();
        closed.countDown();
    }
}
