package dev.holdfast.engine.api;

import io.netty.handler.codec.http.HttpHeaders;

/** Headers Docker sends on every response; the CLI reads API-Version from them to negotiate. */
final class ResponseHeaders {
    private final String serverVersion;

    ResponseHeaders(String serverVersion) {
        this.serverVersion = serverVersion;
    }

    void apply(HttpHeaders headers) {
        headers.set("Api-Version", ApiVersion.CURRENT.toString());
        headers.set("Docker-Experimental", "false");
        headers.set("Ostype", "linux");
        headers.set("Server", "Docker/" + serverVersion + " (linux)");
    }
}
