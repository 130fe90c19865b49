package dev.courier.stream;

import dev.courier.accounts.AccountService;
import dev.courier.accounts.Authentication;
import dev.courier.accounts.Session;
import dev.courier.config.StreamConfig;
import dev.courier.config.StreamLimits;
import dev.courier.conversations.ConversationService;
import dev.courier.db.Database;
import dev.courier.events.EventSink;
import dev.courier.messages.MessageChanges;
import dev.courier.messages.MessageService;
import dev.courier.presence.StreamPresence;
import dev.courier.ratelimit.RateLimiter;
import dev.courier.web.ApiException;
import dev.courier.web.BearerToken;
import dev.courier.web.ErrorCode;
import dev.courier.web.HttpErrors;
import dev.courier.web.QueryParams;
import dev.courier.web.RequestIds;
import dev.courier.web.RoutePolicy;
import dev.courier.web.Routes;
import dev.courier.web.SecurityHeaders;
import dev.courier.web.TraceContext;
import io.javalin.http.Context;
import io.javalin.websocket.WsContext;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /v1/stream}: authenticates the upgrade, then wires each socket to the hub and its frames to the inbound
 * handler.
 */
public final class StreamRoutes implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(StreamRoutes.class);
    public static final String PATH = "/v1/stream";
    private static final String SESSION = "courier.stream.session";
    private static final String ECHO = "courier.stream.echo";
    private static final String COUNTERS = "courier.stream.counters";

    private final Authentication authentication;
    private final StreamConfig config;
    private final StreamHub hub;
    private final StreamMetrics metrics;
    private final InboundFrames inbound;
    private final StreamLimits limits;
    private final Map<String, StreamConnection> bySocket = new ConcurrentHashMap<>();

    public StreamRoutes(AccountService accounts, MessageService messages, MessageChanges changes,
                        ConversationService conversations, StreamPresence presence, EventSink events,
                        Database database, RateLimiter rateLimiter, StreamConfig config, StreamLimits limits,
                        MeterRegistry meters) {
        this.limits = limits;
        this.authentication = new Authentication(accounts);
        this.config = config;
        this.metrics = new StreamMetrics(meters, bySocket::size);
        this.hub = new StreamHub(messages, changes, conversations, accounts, presence, metrics,
                new OpeningCounters(conversations, database, meters));
        this.inbound = new InboundFrames(messages, database, rateLimiter, hub, events, metrics);
    }

    /** Streams open on this node right now. */
    public int openStreams() {
        return bySocket.size();
    }

    /** The bus listener of this node. */
    public StreamHub hub() {
        return hub;
    }

    /** A user's route: {@link #admitUpgrade} checks the token, since Javalin runs no HTTP filter for an upgrade. */
    public void register(Routes routes) {
        routes.socket(PATH, RoutePolicy.user(), this::admitUpgrade, ws -> {
            ws.onConnect(ctx -> {
                Session session = ctx.attribute(SESSION);
                ctx.session.setIdleTimeout(config.idleTimeout());
                // Jetty closes a stream whose client sends a bigger frame with 1009 (message too big).
                ctx.session.setMaxTextMessageSize(limits.maxFrameBytes());
                boolean echo = Boolean.TRUE.equals(ctx.attribute(ECHO));
                StreamConnection connection = new StreamConnection(ctx.session, session, config.maxQueuedFrames(),
                        config.maxQueuedBytes(), metrics, echo);
                bySocket.put(ctx.sessionId(), connection);
                ctx.enableAutomaticPings(config.pingInterval().toMillis(), TimeUnit.MILLISECONDS);
                try {
                    hub.open(connection, ctx.attribute(COUNTERS));
                } catch (RuntimeException e) {
                    // Without its cursors the stream could miss messages: better closed, and retried by the client.
                    log.warn("could not open a stream: {}", e.toString());
                    connection.close(StreamConnection.CLOSE_UNAVAILABLE, "try again shortly");
                }
            });
            ws.onMessage(ctx -> {
                StreamConnection connection = bySocket.get(ctx.sessionId());
                if (connection != null) {
                    connection.receive(ctx.message(), inbound);
                }
            });
            ws.onClose(ctx -> forget(ctx));
            ws.onError(ctx -> {
                log.debug("stream error: {}", String.valueOf(ctx.error()));
                forget(ctx);
            });
        });
    }

    private void forget(WsContext ctx) {
        ctx.disableAutomaticPings();
        StreamConnection connection = bySocket.remove(ctx.sessionId());
        if (connection != null) {
            hub.closed(connection);
        }
    }

    /**
     * Lets the upgrade go ahead, or answers it with the contract's error. Javalin neither runs the before-handlers
     * (request id, security headers) for an upgrade request nor writes the result of one it refuses, so a thrown
     * error would leave an empty 401; the refusal is written here, and skipping the remaining handlers is what
     * stops the upgrade.
     */
    private void admitUpgrade(Context ctx) {
        // the stream's trace: the caller's traceparent on the upgrade, or one begun here; in the 101 and any refusal
        TraceContext.begin(ctx);
        try {
            authenticateUpgrade(ctx);
        } catch (RuntimeException failure) {
            RequestIds.assign(ctx);
            try (InputStream body = renderedError(ctx, failure)) {
                body.transferTo(ctx.res().getOutputStream());
            } catch (IOException e) {
                log.debug("could not answer a refused upgrade: {}", e.toString());
            } finally {
                RequestIds.clear();
                ctx.skipRemainingHandlers();
            }
        } finally {
            TraceContext.clear();
        }
    }

    /** The contract's answer to {@code failure}, rendered as for any request; Javalin leaves the writing to us. */
    private static InputStream renderedError(Context ctx, RuntimeException failure) {
        SecurityHeaders.applyTo(ctx);
        HttpErrors.render(ctx, failure);
        return ctx.resultInputStream();
    }

    /** The token comes in the Authorization header or, for browsers, as {@code access_token}. */
    private void authenticateUpgrade(Context ctx) {
        String token = BearerToken.from(ctx.header("Authorization"))
                .orElseGet(() -> ctx.queryParam("access_token"));
        Session session = authentication.authenticate(token)
                .orElseThrow(() -> ApiException.of(ErrorCode.UNAUTHORIZED, "missing, expired or revoked token"));
        // A per-node cap (checked before the upgrade, so two racing upgrades may both pass): it bounds what one
        // account can pin on a node, not a deployment-wide quota.
        // by the hub's streams of the user, not a scan of every socket: a reconnect storm is thousands of upgrades
        if (hub.streamCount(session.user().id()) >= limits.maxStreamsPerUser()) {
            throw new ApiException(ErrorCode.RATE_LIMITED,
                    "at most " + limits.maxStreamsPerUser() + " open streams per user", null, 5);
        }
        // echo=false: the stream's own sends come back as their ack only, not also as a message frame
        ctx.attribute(ECHO, QueryParams.booleanParam(ctx, "echo", true));
        // before the 101: a node too busy for this read answers 503 overloaded, which a client retries after its
        // Retry-After, instead of closing a stream it had opened
        ctx.attribute(COUNTERS, hub.countersOf(session.user().id()));
        ctx.attribute(SESSION, session);
    }

    /**
     * Drains every open stream at once ({@link StreamConnection#drain}) and returns when all are closed, or at
     * {@code deadlineNanos}. The upgrades that would open new ones are refused by then (the drain gate).
     *
     * @return the streams that were open
     */
    public int drain(long deadlineNanos) throws InterruptedException {
        List<Thread> draining = new ArrayList<>();
        for (StreamConnection connection : bySocket.values()) {
            draining.add(Thread.ofVirtual().name("stream-drain").start(() -> connection.drain(deadlineNanos)));
        }
        for (Thread thread : draining) {
            long left = deadlineNanos - System.nanoTime();
            if (left <= 0 || !thread.join(Duration.ofNanos(left))) {
                break;
            }
        }
        return draining.size();
    }

    @Override
    public void close() {
        hub.close();
    }
}
