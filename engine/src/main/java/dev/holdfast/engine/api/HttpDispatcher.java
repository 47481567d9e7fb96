package dev.holdfast.engine.api;

import dev.holdfast.engine.errdefs.DomainException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.ReferenceCountUtil;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Turns netty's HTTP messages into {@link ApiRequest}s and runs each on a virtual thread, so that the event loop
 * never blocks. One instance per connection: HTTP/1.1 requests on a connection come one after another.
 */
final class HttpDispatcher extends ChannelInboundHandlerAdapter {
    /** The user event {@link ApiServer#close} sends every connection: finish up and close. */
    static final Object DRAIN = new Object();
    /** How long a draining engine waits for the first request of a connection it has just accepted. */
    private static final Duration FIRST_REQUEST_GRACE = Duration.ofSeconds(1);
    private static final Logger LOG = Logger.getLogger(HttpDispatcher.class.getName());

    private final Router router;
    private final Router bootRouter;
    private final CompletableFuture<Void> serving;
    private final ResponseHeaders responseHeaders;
    private final AtomicBoolean draining;
    private BodyStream body;
    private ApiRequest current;
    private volatile boolean inFlight;
    private volatile boolean inputShutdown;
    private boolean sawRequest;

    HttpDispatcher(Router router, Router bootRouter, CompletableFuture<Void> serving,
            ResponseHeaders responseHeaders, AtomicBoolean draining) {
        this.router = router;
        this.bootRouter = bootRouter;
        this.serving = serving;
        this.responseHeaders = responseHeaders;
        this.draining = draining;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest request) {
            begin(ctx, request);
        }
        if (msg instanceof HttpContent content) {
            if (body != null && content.content().isReadable()) {
                body.offer(content.content().retain());
            }
            if (content instanceof LastHttpContent && body != null) {
                body.end();
            }
        } else if (msg instanceof ByteBuf raw && current != null && current.hijackedInputSink() != null) {
            current.hijackedInputSink().stream().offer(raw.retain());
        }
        ReferenceCountUtil.release(msg);
    }

    private void begin(ChannelHandlerContext ctx, HttpRequest request) {
        sawRequest = true;
        body = new BodyStream(ctx.channel());
        current = null;
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        if (request.decoderResult().isFailure()) {
            respond(ctx, request.method(), keepAlive, HttpResponseStatus.BAD_REQUEST,
                    error("malformed HTTP request: " + request.decoderResult().cause().getMessage()));
            return;
        }
        route(ctx, request, body, keepAlive);
    }

    /**
     * Before the engine serves (see {@code Engine.start}) only the boot routes answer; any other request waits for
     * {@code serving}, its body buffered meanwhile, and is then routed on the event loop as if it had just come.
     */
    private void route(ChannelHandlerContext ctx, HttpRequest request, BodyStream body, boolean keepAlive) {
        QueryStringDecoder uri = new QueryStringDecoder(request.uri());
        Router.Match match;
        ApiVersion.Versioned versioned;
        Map<String, List<String>> parameters;
        try {
            try {
                // Decoded here, where a bad escape can still be answered: thrown on the event loop, it closed the
                // connection without a word (found by ApiFuzzTest).
                versioned = ApiVersion.split(uri.path());
                parameters = uri.parameters();
            } catch (IllegalArgumentException e) {
                throw ApiException.badRequest("invalid URL escape in " + request.uri() + ": " + e.getMessage());
            }
            Router routes = router;
            if (serving.isCompletedExceptionally()) {
                throw new ApiException(HttpResponseStatus.SERVICE_UNAVAILABLE,
                        "the engine failed to start; see its log");
            }
            if (!serving.isDone()) {
                Optional<Router.Match> early = bootRouter.resolve(request.method(), versioned.path());
                if (early.isEmpty()) {
                    inFlight = true;
                    serving.whenComplete((v, e) -> ctx.executor().execute(() -> route(ctx, request, body, keepAlive)));
                    return;
                }
                routes = bootRouter;
            }
            match = routes.resolve(request.method(), versioned.path())
                    .orElseThrow(() -> ApiException.notFound("page not found"));
        } catch (ApiException e) {
            respond(ctx, request.method(), keepAlive, e.status(), error(e.getMessage()));
            return;
        }
        ApiRequest apiRequest = new ApiRequest(request.method(), versioned.path(), versioned.version(),
                match.params(), parameters, request.headers(), body, ctx.channel(), responseHeaders);
        current = apiRequest;
        inFlight = true;
        Thread.ofVirtual()
                .name("api " + request.method() + " " + versioned.path())
                .start(() -> run(ctx, apiRequest, match.endpoint(), keepAlive));
    }

    private void run(ChannelHandlerContext ctx, ApiRequest request, Endpoint endpoint, boolean keepAlive) {
        try {
            Reply reply = endpoint.handle(request);
            switch (reply) {
                case Reply.JsonBody json -> respond(ctx, request, keepAlive, json.status(),
                        Json.MAPPER.writeValueAsBytes(json.body()), "application/json");
                case Reply.Bytes bytes -> respond(ctx, request, keepAlive, bytes.status(), bytes.body(),
                        bytes.contentType());
                case Reply.Empty empty -> respond(ctx, request, keepAlive, empty.status(), new byte[0],
                        "application/json");
                case Reply.Streamed streamed -> { }
            }
        } catch (ApiException e) {
            if (e.status().code() >= 500) {
                LOG.log(Level.WARNING, request.method() + " " + request.path() + ": " + e.getMessage(), e.getCause());
            }
            fail(ctx, request, keepAlive, e.status(), e.getMessage());
        } catch (DomainException e) {
            HttpResponseStatus status = ErrorStatus.of(e.kind());
            if (status.code() >= 500) {
                LOG.log(Level.WARNING, request.method() + " " + request.path() + ": " + e.getMessage(), e.getCause());
            }
            fail(ctx, request, keepAlive, status, e.getMessage());
        } catch (Exception | LinkageError | AssertionError e) {
            // Errors too (a class that failed to load): a client must get an answer, never a hung connection.
            LOG.log(Level.WARNING, request.method() + " " + request.path() + " failed", e);
            fail(ctx, request, keepAlive, HttpResponseStatus.INTERNAL_SERVER_ERROR, String.valueOf(e.getMessage()));
        } finally {
            request.releaseBody();
            inFlight = false;
            if (inputShutdown && request.hijackedInputSink() == null) {
                ctx.channel().close();
            }
        }
    }

    private void fail(ChannelHandlerContext ctx, ApiRequest request, boolean keepAlive, HttpResponseStatus status,
            String message) {
        if (request.responded()) {
            // Headers are out already: the only honest signal left is to cut the connection.
            ctx.channel().close();
        } else {
            respond(ctx, request.method(), keepAlive, status, error(message));
        }
    }

    private static byte[] error(String message) {
        try {
            return Json.MAPPER.writeValueAsBytes(Map.of("message", message == null ? "" : message));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private void respond(ChannelHandlerContext ctx, HttpMethod method, boolean keepAlive, HttpResponseStatus status,
            byte[] content) {
        respond(ctx, method, keepAlive, status, content, "application/json");
    }

    private void respond(ChannelHandlerContext ctx, ApiRequest request, boolean keepAlive, HttpResponseStatus status,
            byte[] content, String contentType) {
        respond(ctx, request.method(), keepAlive, status, content, contentType, request::applyResponseHeaders);
    }

    private void respond(ChannelHandlerContext ctx, HttpMethod method, boolean keepAlive, HttpResponseStatus status,
            byte[] content, String contentType) {
        respond(ctx, method, keepAlive, status, content, contentType, responseHeaders::apply);
    }

    private void respond(ChannelHandlerContext ctx, HttpMethod method, boolean keepAlive, HttpResponseStatus status,
            byte[] content, String contentType, Consumer<HttpHeaders> headers) {
        boolean bodyless = method.equals(HttpMethod.HEAD) || status.code() == 204 || status.code() == 304;
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                bodyless ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(content));
        headers.accept(response.headers());
        if (!bodyless) {
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        }
        if (status.code() != 204 && status.code() != 304) {
            HttpUtil.setContentLength(response, bodyless ? content.length : response.content().readableBytes());
        }
        // A draining engine answers, then closes: the client's next request goes to the next engine.
        boolean keep = keepAlive && !draining.get();
        HttpUtil.setKeepAlive(response, keep);
        var written = ctx.writeAndFlush(response);
        if (!keep) {
            written.addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (body != null) {
            body.abort();
        }
        if (current != null && current.hijackedInputSink() != null) {
            current.hijackedInputSink().stream().end();
        }
        ctx.fireChannelInactive();
    }

    /**
     * The client shut down its sending side. On a hijacked connection that is the end of the container's stdin,
     * and output keeps flowing; otherwise the connection closes once the request in progress is answered.
     */
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event == DRAIN) {
            drain(ctx);
            return;
        }
        if (event instanceof ChannelInputShutdownEvent) {
            inputShutdown = true;
            if (current != null && current.hijackedInputSink() != null) {
                current.hijackedInputSink().stream().end();
            } else if (!inFlight) {
                ctx.close();
            }
        }
        ctx.fireUserEventTriggered(event);
    }

    /**
     * The engine stops: an idle connection closes now, a stream ends (cleanly, so that followers such as
     * {@code docker events} and {@code logs -f} see its end and reconnect), a request in progress is answered with
     * {@code Connection: close}.
     */
    private void drain(ChannelHandlerContext ctx) {
        ResponseStream stream = current == null ? null : current.stream();
        if (stream != null) {
            stream.close();
            ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        } else if (!sawRequest) {
            // Accepted just before the drain, its request not read yet (maybe already sent): closing now would cut
            // a client that did nothing wrong (EngineHandoverTest saw "Broken pipe"). Its request is answered with
            // Connection: close; a connection that sends none is closed after the grace.
            ctx.executor().schedule(() -> {
                if (!inFlight) {
                    ctx.close();
                }
            }, FIRST_REQUEST_GRACE.toMillis(), TimeUnit.MILLISECONDS);
        } else if (!inFlight) {
            ctx.close();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.log(Level.FINE, "connection error", cause);
        ctx.close();
    }

}
