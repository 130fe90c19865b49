package dev.courier.server;

import dev.courier.audit.AdminAuditLog;
import dev.courier.config.HttpConfig;
import dev.courier.db.Database;
import dev.courier.ops.AccessLog;
import dev.courier.ops.HttpMetrics;
import dev.courier.web.AdminAuthentication;
import dev.courier.web.AdmissionGate;
import dev.courier.web.BodySizeLimit;
import dev.courier.web.CorsPolicy;
import dev.courier.web.DrainGate;
import dev.courier.web.Draining;
import dev.courier.web.ErrorCode;
import dev.courier.web.HttpErrors;
import dev.courier.web.Json;
import dev.courier.web.JettyErrorHandler;
import dev.courier.web.JsonBody;
import dev.courier.web.RequestIds;
import dev.courier.web.Routes;
import dev.courier.web.StaticPages;
import dev.courier.web.TraceContext;
import dev.courier.web.SecurityHeaders;
import io.javalin.Javalin;
import io.javalin.config.RoutesConfig;
import io.javalin.json.JavalinJackson;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import org.eclipse.jetty.ee10.servlet.SessionHandler;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.session.DefaultSessionCache;
import org.eclipse.jetty.session.NullSessionDataStore;
import org.eclipse.jetty.session.SessionCache;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/** The Javalin application: cross-cutting filters, error rendering and each feature's routes. */
final class HttpApi {

    /** Request line plus headers; a bearer token is ~50 bytes, so this leaves ample room and no more. */
    static final int MAX_HEADER_BYTES = 16_384;
    /** Platform threads for Jetty's own loops: selectors and acceptors need one each, the rest is headroom. */
    private static final int MIN_PLATFORM_THREADS = 4;
    private static final int MAX_PLATFORM_THREADS = 32;
    /**
     * Connections the kernel completes and holds for the acceptor. The JDK's default is 50: when a node restarts or a
     * balancer fails over, thousands of clients connect within milliseconds, the excess handshakes are dropped and
     * each of those clients waits a second or more for its retransmission. The kernel caps it at
     * {@code net.core.somaxconn} (4,096 on current Linux).
     */
    static final int ACCEPT_QUEUE = 8_192;

    private final HttpConfig config;
    private final RouteGuard guard;
    private final AdminAuthentication adminAuthentication;
    private final HttpMetrics metrics;
    private final List<Consumer<Routes>> features;
    private final Database database;
    private final CorsPolicy cors;
    private final BodySizeLimit.Upload upload;
    private final AccessLog accessLog;
    private final AdminAuditLog audit;
    private final Draining draining;
    private List<Routes.Declared> declared = List.of();

    HttpApi(HttpConfig config, RouteGuard guard, AdminAuthentication adminAuthentication, HttpMetrics metrics,
            List<Consumer<Routes>> features, Database database, CorsPolicy cors, BodySizeLimit.Upload upload,
            AccessLog accessLog, AdminAuditLog audit, Draining draining) {
        this.upload = upload;
        this.accessLog = accessLog;
        this.audit = audit;
        this.draining = draining;
        this.database = database;
        this.config = config;
        this.guard = guard;
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
            javalin.jetty.addConnector((server, http) -> {
                // Javalin's own connector, but for its accept queue: see ACCEPT_QUEUE
                ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(http));
                connector.setHost(config.host());
                connector.setPort(config.port());
                connector.setAcceptQueueSize(ACCEPT_QUEUE);
                return connector;
            });
            javalin.http.maxRequestSize = JsonBody.MAX_BYTES;
            javalin.startup.showJavalinBanner = false;
            javalin.startup.showOldJavalinVersionWarning = false;
            javalin.jsonMapper(new JavalinJackson(Json.mapper(), true));
            javalin.staticFiles.add(StaticPages::configure);
            // once the answer is written, so that its size is known; a level check when the access log is off
            javalin.requestLogger.http(accessLog::record);
            // Graceful stop: the drain gate refuses new requests once the node drains, and Jetty's graceful handler lets
            // the ones in flight finish when it stops (up to what is left of the drain timeout, see CourierServer).
            // Javalin puts its handler inside the innermost wrapper, so an oversized body, and database-bound work
            // while the admission limit is reached, are refused before Javalin sees the request.
            javalin.jetty.modifyServer(server -> {
                BodySizeLimit bodySizeLimit = new BodySizeLimit(code -> metrics.countError(code.code()), upload);
                bodySizeLimit.setHandler(new AdmissionGate(database::admissionLimitReached,
                        (path, authorization, nanos) -> {
                            database.countRefusedByAdmissionLimit();
                            metrics.refusedBeforeRouting(path, authorization, nanos);
                        }));
                DrainGate drainGate = new DrainGate(draining,
                        () -> metrics.countError(ErrorCode.OVERLOADED.code()));
                drainGate.setHandler(bodySizeLimit);
                server.setHandler(new GracefulHandler(drainGate));
                server.setStopTimeout(Math.max(1_000, config.drainTimeout().toMillis()));
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
                TraceContext.begin(ctx);
                metrics.start(ctx);
                SecurityHeaders.applyTo(ctx);
                if (cors.apply(ctx)) {
                    ctx.skipRemainingHandlers();
                }
            });
            // Each route's declared policy: admitted or not (what a request leaks is taken back when it ends), who
            // may call it, which bucket it spends.
            routes.beforeMatched(guard::applyPolicy);
            // before, not beforeMatched: a path no admin route matches must be refused the same way, or its 404
            // would tell a caller without the token which admin routes (fault injection) exist
            routes.before(AdminAuthentication.PATHS + "*", adminAuthentication::require);
            routes.after(ctx -> {
                // every admin action, at the one place every request passes once answered
                audit.afterRequest(ctx);
                guard.endScope(ctx);
                metrics.finish(ctx);
                RequestIds.clear();
                TraceContext.clear();
            });
            HttpErrors.register(routes);
            Routes declaring = new Routes(routes);
            features.forEach(feature -> feature.accept(declaring));
            declared = declaring.declared();
        }).start();
    }

    /** The routes the features declared, once started. */
    List<Routes.Declared> declaredRoutes() {
        return declared;
    }
}
