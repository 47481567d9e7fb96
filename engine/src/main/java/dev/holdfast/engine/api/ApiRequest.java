package dev.holdfast.engine.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** One Docker API request as an endpoint sees it: parameters, body, and the means to stream or hijack. */
public final class ApiRequest {
    /** The largest JSON body decoded; create bodies of real clients are a few KiB. */
    public static final int MAX_JSON_BODY = 16 << 20;

    private final HttpMethod method;
    private final String path;
    private final ApiVersion version;
    private final Map<String, String> pathParams;
    private final Map<String, List<String>> query;
    private final HttpHeaders headers;
    private final BodyStream body;
    private final Channel channel;
    private final ResponseHeaders responseHeaders;
    private volatile boolean responded;
    private volatile HijackedInput hijackedInput;
    private volatile ResponseStream stream;
    /** Headers of this endpoint's own, sent with its successful response. */
    private final Map<String, String> extraResponseHeaders = new ConcurrentHashMap<>();

    ApiRequest(HttpMethod method, String path, ApiVersion version, Map<String, String> pathParams,
            Map<String, List<String>> query, HttpHeaders headers, BodyStream body, Channel channel,
            ResponseHeaders responseHeaders) {
        this.method = method;
        this.path = path;
        this.version = version;
        this.pathParams = pathParams;
        this.query = query;
        this.headers = headers;
        this.body = body;
        this.channel = channel;
        this.responseHeaders = responseHeaders;
    }

    public HttpMethod method() {
        return method;
    }

    public String path() {
        return path;
    }

    public ApiVersion version() {
        return version;
    }

    public String pathParam(String name) {
        String value = pathParams.get(name);
        if (value == null) {
            throw new IllegalStateException("route has no path parameter " + name);
        }
        return value;
    }

    public Optional<String> query(String name) {
        List<String> values = query.get(name);
        return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(values.size() - 1));
    }

    public List<String> queryAll(String name) {
        return query.getOrDefault(name, List.of());
    }

    /** Docker's boolean query values: "1", "true", "True" are true; absent, "", "0", "false" are false. */
    public boolean queryBool(String name) {
        return query(name).map(v -> !(v.isEmpty() || v.equals("0") || v.equalsIgnoreCase("false"))).orElse(false);
    }

    public Optional<Long> queryLong(String name) {
        Optional<String> raw = query(name).filter(v -> !v.isEmpty());
        try {
            return raw.map(Long::parseLong);
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("invalid value for " + name + ": " + raw.get());
        }
    }

    public Optional<String> header(String name) {
        return Optional.ofNullable(headers.get(name));
    }

    /** The request body as it arrives; large uploads stream through without being held in memory. */
    public InputStream body() {
        return body;
    }

    /**
     * Reads the body as JSON into {@code type}; an empty body gives null, malformed JSON a 400. A JSON body is held
     * in memory to be decoded, so one larger than {@link #MAX_JSON_BODY} is refused with 413 after that many bytes;
     * the rest of it is discarded as it arrives, costing no memory.
     */
    public <T> T bodyJson(Class<T> type) {
        byte[] bytes;
        try {
            bytes = body.readNBytes(MAX_JSON_BODY + 1);
        } catch (IOException e) {
            throw ApiException.badRequest("reading the request body: " + e.getMessage());
        }
        if (bytes.length > MAX_JSON_BODY) {
            body.close();
            throw new ApiException(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "request body of " + method + " "
                    + path + " is larger than " + (MAX_JSON_BODY >> 20) + " MiB: a JSON body cannot be that large");
        }
        if (isBlank(bytes)) {
            return null;
        }
        try {
            return Json.MAPPER.readValue(bytes, type);
        } catch (JsonProcessingException e) {
            throw ApiException.badRequest("invalid JSON in request body: " + Json.describe(e, ""));
        } catch (IOException e) {
            throw ApiException.badRequest("reading the request body: " + e.getMessage());
        }
    }

    private static boolean isBlank(byte[] bytes) {
        for (byte b : bytes) {
            if (b != ' ' && b != '\t' && b != '\n' && b != '\r') {
                return false;
            }
        }
        return true;
    }

    /** Sends {@code name: value} with the successful response (as docker cp's path stat header). */
    public void setResponseHeader(String name, String value) {
        extraResponseHeaders.put(name, value);
    }

    void applyResponseHeaders(HttpHeaders target) {
        responseHeaders.apply(target);
        extraResponseHeaders.forEach(target::set);
    }

    /** Starts a chunked 200 response with {@code contentType}; the endpoint writes the body, then closes it. */
    public ResponseStream openStream(String contentType) {
        markResponded();
        HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        applyResponseHeaders(response.headers());
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        HttpUtil.setTransferEncodingChunked(response, true);
        channel.writeAndFlush(response);
        stream = new ResponseStream(channel, true);
        return stream;
    }

    /**
     * Takes the connection over, as Docker's attach and exec start do: answers {@code 101 UPGRADED} when the client
     * asked for an upgrade (plain 200 otherwise), then the connection carries raw bytes both ways.
     */
    public ResponseStream hijack(String contentType) {
        markResponded();
        boolean upgrade = headers.containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true);
        StringBuilder head = new StringBuilder(upgrade ? "HTTP/1.1 101 UPGRADED\r\n" : "HTTP/1.1 200 OK\r\n");
        head.append("Content-Type: ").append(contentType).append("\r\n");
        if (upgrade) {
            head.append("Connection: Upgrade\r\nUpgrade: tcp\r\n");
        }
        HttpHeaders extra = new io.netty.handler.codec.http.DefaultHttpHeaders();
        responseHeaders.apply(extra);
        extra.forEach(h -> head.append(h.getKey()).append(": ").append(h.getValue()).append("\r\n"));
        head.append("\r\n");
        HijackedInput input = new HijackedInput(new BodyStream(channel));
        hijackedInput = input;
        channel.eventLoop().submit(() -> {
            // From here on the pipeline carries raw bytes: the HTTP codec must not parse stdin as requests.
            HttpServerCodec codec = channel.pipeline().get(HttpServerCodec.class);
            if (codec != null) {
                channel.pipeline().remove(codec);
            }
            ByteBuf bytes = Unpooled.copiedBuffer(head, StandardCharsets.ISO_8859_1);
            channel.writeAndFlush(bytes);
        }).syncUninterruptibly();
        stream = new ResponseStream(channel, false);
        return stream;
    }

    /** The stream {@link #openStream} or {@link #hijack} opened, if any. */
    ResponseStream stream() {
        return stream;
    }

    /** After {@link #hijack}: what the client sends (a container's stdin). */
    public InputStream hijackedInput() {
        HijackedInput input = hijackedInput;
        if (input == null) {
            throw new IllegalStateException("connection was not hijacked");
        }
        return input.stream();
    }

    HijackedInput hijackedInputSink() {
        return hijackedInput;
    }

    /** Frees whatever of the body the endpoint did not read. */
    void releaseBody() {
        body.close();
    }

    boolean responded() {
        return responded;
    }

    private void markResponded() {
        if (responded) {
            throw new IllegalStateException("response already started for " + method + " " + path);
        }
        responded = true;
    }

    /** Where bytes read after a hijack go. */
    record HijackedInput(BodyStream stream) {}
}
