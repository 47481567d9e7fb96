package dev.holdfast.bench.measure;

import dev.holdfast.bench.api.DockerApi;
import dev.holdfast.bench.api.Response;
import dev.holdfast.bench.api.UnixHttp;
import dev.holdfast.bench.harness.Errors;
import java.io.IOException;
import java.nio.file.Path;

/** {@code GET /containers/json} on a new connection, as {@code docker ps} makes it: one paced client's request. */
final class ListContainers implements PacedRequests.Request {
    private final Path socket;
    private final long timeoutMs;

    ListContainers(Path socket, long timeoutMs) {
        this.socket = socket;
        this.timeoutMs = timeoutMs;
    }

    @Override
    public PacedRequests.Answer send() {
        UnixHttp http;
        try {
            http = new UnixHttp(socket);
        } catch (IOException e) {
            return PacedRequests.Answer.unreachable(Errors.reason(e));
        }
        try (http) {
            Response r = http.request("GET", DockerApi.API + "/containers/json", null, timeoutMs);
            if (r.status() != 200) {
                return PacedRequests.Answer.failed("HTTP " + r.status() + ": " + Errors.oneLine(r.text()));
            }
            return PacedRequests.Answer.OK;
        } catch (IOException | RuntimeException e) {
            return PacedRequests.Answer.failed(Errors.reason(e));
        }
    }
}
