package dev.courier.server;

import dev.courier.accounts.Authentication;
import dev.courier.config.HttpConfig;
import dev.courier.db.Database;
import dev.courier.db.OperationScope;
import dev.courier.ops.HttpMetrics;
import dev.courier.stream.StreamRoutes;
import dev.courier.web.AdminAuthentication;
import dev.courier.web.AdmissionGate;
import dev.courier.web.BodySizeLimit;
import dev.courier.web.CorsPolicy;
import dev.courier.web.ErrorCode;
import dev.courier.web.HttpErrors;
import dev.courier.web.Json;
import dev.courier.web.JettyErrorHandler;
import dev.courier.web.JsonBody;
import dev.courier.web.RequestIds;
import dev.courier.web.StaticPages;
import dev.courier.web.SecurityHeaders;
import io.javalin.Javalin;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.javalin.json.JavalinJackson;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import org.eclipse.jetty.ee10.servlet.SessionHandler;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.session.DefaultSessionCache;
import org.eclipse.jetty.session.NullSessionDataStore;
import org.eclipse.jetty.session.SessionCache;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/** The Javalin application: cross-cutting filters, error rendering and each feature's routes. */
final class HttpApi {

    private static final long STOP_TIMEOUT_MILLIS = 10_000;
    private static final String SCOPE = "courier.operationScope";
    /** Request line plus headers; a bearer token is ~50 bytes, so this leaves ample room and no more. */
    static final int MAX_HEADER_BYTES = 16_384;
    /** Platform threads for Jetty's own loops: selectors and acceptors need one each, the rest is headroom. */
    private static final int MIN_PLATFORM_THREADS = 4;
    private static final int MAX_PLATFORM_THREADS = 32;

    private final HttpConfig config;
    private final Authentication authentication;
    private final AdminAuthentication adminAuthentication;
    private final HttpMetrics metrics;
    private final List<Consumer<RoutesConfig>> features;
    private final Database database;
    private final CorsPolicy cors;

    HttpApi(HttpConfig config, Authentication authentication, AdminAuthentication adminAuthentication,
            HttpMetrics metrics, List<Consumer<RoutesConfig>> features, Database database, CorsPolicy cors) {
        this.database = database;
        this.config = config;
        this.authentication = authentication;
        this.adminAuthentication = adminAuthentication;
        this.metrics = metrics;
        this.features = features;
        this.cors = cors;
    }

    /**
     * Jetty's selectors, acceptors and non-blocking tasks on a few platform threads; what may block (a request, a
     * stream frame) on a virtual thread each. Javalin's own virtual-thread pool runs the selector loops on virtual
     * threads too, so every select parks a virtual thread and goes through the JDK's poller thread: at 5,000 msg/s
     * that poller and the parking took an eighth of the server's CPU (bench/results/2026-12-03-selector-heap.md).
     */
    private static QueuedThreadPool jettyThreads() {
        QueuedThreadPool threads = new QueuedThreadPool(MAX_PLATFORM_THREADS, MIN_PLATFORM_THREADS);
        threads.setName("courier-http");
        threads.setVirtualThreadsExecutor(Executors.newThreadPerTaskExecutor(
                Thread.ofVirtual().name("courier-http-virtual-", 0).factory()));
        return threads;
    }

    Javalin start() {
        return Javalin.create(javalin -> {
            // Requests and stream frames are handled on the threads that read them, and may wait for the database.
            javalin.concurrency.useVirtualThreads = true;
            javalin.jetty.threadPool = jettyThreads();
            javalin.jetty.host = config.host();
            javalin.jetty.port = config.port();
            javalin.http.maxRequestSize = JsonBody.MAX_BYTES;
            javalin.startup.showJavalinBanner = false;
            javalin.startup.showOldJavalinVersionWarning = false;
            javalin.jsonMapper(new JavalinJackson(Json.mapper(), true));
            javalin.staticFiles.add(StaticPages::configure);
            // Graceful stop: stop accepting, let in-flight requests finish (up to the stop timeout). Javalin puts its
            // handler inside the innermost wrapper, so an oversized body, and database-bound work while the admission
            // limit is reached, are refused before Javalin sees the request.
            javalin.jetty.modifyServer(server -> {
                BodySizeLimit bodySizeLimit = new BodySizeLimit(
                        () -> metrics.countError(ErrorCode.PAYLOAD_TOO_LARGE.code()));
                bodySizeLimit.setHandler(new AdmissionGate(database::admissionLimitReached,
                        (path, authorization, nanos) -> {
                            database.countRefusedByAdmissionLimit();
                            metrics.refusedBeforeRouting(path, authorization, nanos);
                        }));
                server.setHandler(new GracefulHandler(bodySizeLimit));
                server.setStopTimeout(STOP_TIMEOUT_MILLIS);
                server.setErrorHandler(new JettyErrorHandler());
            });
            // Courier keeps no HTTP sessions (bearer tokens only), yet Javalin opens one for every WebSocket upgrade,
            // refused ones included, and Jetty's default cache keeps each in memory for good: an unauthenticated
            // client could fill the heap. Here a session leaves memory when its request ends, and no cookie names it.
            javalin.jetty.modifyServletContextHandler(context -> {
                SessionHandler sessions = context.getSessionHandler();
                DefaultSessionCache cache = new DefaultSessionCache(sessions);
                cache.setEvictionPolicy(SessionCache.EVICT_ON_SESSION_EXIT);
                cache.setSessionDataStore(new NullSessionDataStore());
                sessions.setSessionCache(cache);
                sessions.setUsingCookies(false);
            });
            javalin.jetty.modifyHttpConfiguration(http -> {
                http.setRequestHeaderSize(MAX_HEADER_BYTES);
                http.setSendServerVersion(false);
            });

            RoutesConfig routes = javalin.routes;
            routes.before(ctx -> {
                RequestIds.assign(ctx);
                metrics.start(ctx);
                SecurityHeaders.applyTo(ctx);
                if (cors.apply(ctx)) {
                    ctx.skipRemainingHandlers();
                }
            });
            // Every /v1 request is database-bound work: admitted or refused here, and what it leaks is taken
            // back when it ends. Admin requests stay outside, so an operator can look while the limit is reached.
            routes.beforeMatched("/v1/*", ctx -> {
                if (!ctx.path().startsWith("/v1/admin/")) {
                    OperationScope scope = database.openScope("http " + ctx.method() + " " + routeOf(ctx));
                    ctx.attribute(SCOPE, scope);
                    if (hashesAPassword(ctx)) {
                        scope.slowByDesign();
                    }
                }
            });
            routes.beforeMatched("/v1/*", ctx -> {
                if (needsUserToken(ctx)) {
                    authentication.require(ctx);
                }
            });
            // before, not beforeMatched: a path no admin route matches must be refused the same way, or its 404
            // would tell a caller without the token which admin routes (fault injection) exist
            routes.before("/v1/admin/*", adminAuthentication::require);
            routes.after(ctx -> {
                OperationScope scope = ctx.attribute(SCOPE);
                if (scope != null) {
                    if (ctx.statusCode() == 503) {
                        scope.refusedForLoad();
                    }
                    scope.close();
                }
                metrics.finish(ctx);
                RequestIds.clear();
            });
            HttpErrors.register(routes);
            features.forEach(feature -> feature.accept(routes));
        }).start();
    }

    /** The route template (never the raw path, which may hold ids); the request's own path when none matched. */
    private static String routeOf(Context ctx) {
        var matched = ctx.endpoints().matchedHttpEndpoint();
        return matched != null ? matched.path : ctx.path();
    }

    /** Registration and login: each hashes a password, tens of milliseconds of CPU by design. */
    private static boolean hashesAPassword(Context ctx) {
        String path = ctx.path();
        return ctx.method() == HandlerType.POST && (path.equals("/v1/accounts") || path.equals("/v1/sessions"));
    }

    private static boolean needsUserToken(Context ctx) {
        String path = ctx.path();
        if (hashesAPassword(ctx)) {
            return false;
        }
        if (path.equals(StreamRoutes.PATH)) {
            return false; // the stream authenticates its upgrade itself: it also accepts access_token
        }
        return !path.startsWith("/v1/admin/");
    }
}
