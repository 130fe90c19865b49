package dev.courier.ops;

import dev.courier.accounts.Authentication;
import dev.courier.accounts.Session;
import dev.courier.db.DatabaseBusyException;
import dev.courier.db.DatabaseUnavailableException;
import dev.courier.web.AdminAuthentication;
import dev.courier.web.BearerToken;
import dev.courier.web.ErrorCode;
import dev.courier.web.HttpErrors;
import io.javalin.http.Context;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Times every HTTP request by method, route template (never the raw path) and status, counts contract errors by
 * code, and hands each request's outcome to the watchers of traffic (alert windows, incident impact).
 */
public final class HttpMetrics {

    private static final String START = "courier.requestStartNanos";

    private final MeterRegistry registry;
    private final Duration latencyObjective;
    private final List<Consumer<RequestOutcome>> watchers;
    /** Routes are templates and statuses a short list, so the set stays small; no builder per request. */
    private final Map<TimerKey, Timer> timers = new ConcurrentHashMap<>();
    /** Registered at start, so a dashboard charts zero rather than nothing before the first rejection. */
    private final Counter overloadRejections;
    private final Counter databaseBusy;
    private final Counter databaseUnavailable;

    private record TimerKey(String method, String route, int status) {
    }

    public HttpMetrics(MeterRegistry registry) {
        this(registry, Duration.ofMillis(500), List.of());
    }

    /**
     * @param latencyObjective gets its own histogram bucket, so Prometheus rules can count requests that missed it
     */
    public HttpMetrics(MeterRegistry registry, Duration latencyObjective, List<Consumer<RequestOutcome>> watchers) {
        this.registry = registry;
        this.latencyObjective = latencyObjective;
        this.watchers = List.copyOf(watchers);
        this.overloadRejections = Counter.builder(MetricNames.OVERLOAD_REJECTIONS)
                .description("Requests answered 503 overloaded instead of being queued").register(registry);
        this.databaseBusy = databaseErrors(registry, "busy");
        this.databaseUnavailable = databaseErrors(registry, "unavailable");
    }

    private static Counter databaseErrors(MeterRegistry registry, String kind) {
        return Counter.builder(MetricNames.DB_ERRORS).description("Database failures that reached a caller, by kind")
                .tag("kind", kind).register(registry);
    }

    /** Buckets from 1 ms to 30 s, plus the objective's own. */
    private Timer timer(TimerKey key) {
        return Timer.builder(MetricNames.HTTP_REQUESTS)
                .description("HTTP requests by method, route and status")
                .tag("method", key.method())
                .tag("route", key.route())
                .tag("status", String.valueOf(key.status()))
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(30))
                .serviceLevelObjectives(latencyObjective)
                .register(registry);
    }

    public void start(Context ctx) {
        ctx.attribute(START, System.nanoTime());
    }

    public void finish(Context ctx) {
        Long start = ctx.attribute(START);
        if (start == null) {
            return;
        }
        long nanos = System.nanoTime() - start;
        // the route template of the endpoint that answered; ctx.endpoint() here would be this after-filter's "*"
        var matched = ctx.endpoints().matchedHttpEndpoint();
        String route = matched == null ? "unmatched" : matched.path;
        timers.computeIfAbsent(new TimerKey(ctx.method().name(), route, ctx.statusCode()), this::timer)
                .record(nanos, TimeUnit.NANOSECONDS);
        countFailure(ctx);
        if (!watchers.isEmpty()) {
            RequestOutcome outcome = new RequestOutcome(tokenDigest(ctx),
                    Authentication.currentSession(ctx).map(Session::user).map(u -> u.id()).orElse(null),
                    ctx.statusCode(), nanos);
            watchers.forEach(w -> w.accept(outcome));
        }
    }

    private void countFailure(Context ctx) {
        String code = ctx.attribute(HttpErrors.ERROR_CODE);
        if (code == null) {
            return;
        }
        countError(code);
        if (code.equals(ErrorCode.OVERLOADED.code())) {
            overloadRejections.increment();
        }
        Throwable failure = ctx.attribute(HttpErrors.FAILURE);
        if (failure instanceof DatabaseBusyException) {
            databaseBusy.increment();
        } else if (failure instanceof DatabaseUnavailableException) {
            databaseUnavailable.increment();
        }
    }

    /**
     * Counts a request refused {@code overloaded} before Javalin saw it (see {@code web.AdmissionGate}), and tells the
     * watchers of traffic, for whom it is as much a failed request as one refused later.
     */
    public void refusedBeforeRouting(String path, String authorization, long nanos) {
        countError(ErrorCode.OVERLOADED.code());
        overloadRejections.increment();
        if (!watchers.isEmpty()) {
            RequestOutcome outcome = new RequestOutcome(tokenDigest(path, authorization), null, 503, nanos);
            watchers.forEach(w -> w.accept(outcome));
        }
    }

    /** Counts one answer with the contract error {@code code}; for answers given before Javalin sees a request. */
    public void countError(String code) {
        Counter.builder(MetricNames.HTTP_ERRORS).description("HTTP answers with a contract error, by code")
                .tag("code", code).register(registry).increment();
    }

    /**
     * A short digest of a user's bearer token: enough to tell users apart, useless to log in with. The admin token
     * belongs to no user, so admin requests have none.
     */
    private static String tokenDigest(Context ctx) {
        return tokenDigest(ctx.path(), ctx.header("Authorization"));
    }

    private static String tokenDigest(String path, String header) {
        if (path.startsWith(AdminAuthentication.PATHS)) {
            return null;
        }
        String token = BearerToken.from(header).orElse(null);
        if (token == null) {
            return null;
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
