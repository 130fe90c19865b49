package dev.courier.ops;

import dev.courier.bus.BusLink;
import dev.courier.config.AlertConfig;
import dev.courier.config.PoolConfig;
import dev.courier.db.Database;
import dev.courier.ops.alerts.AlertEngine;
import dev.courier.ops.alerts.AlertListener;
import dev.courier.ops.alerts.AlertLog;
import dev.courier.ops.alerts.AlertRoutes;
import dev.courier.ops.alerts.DefaultRules;
import dev.courier.ops.alerts.FailedAuditChecks;
import dev.courier.ops.alerts.FigureSampler;
import dev.courier.ops.alerts.WebhookNotifier;
import dev.courier.ops.incidents.ImpactTracker;
import dev.courier.ops.incidents.IncidentRecorder;
import dev.courier.ops.incidents.IncidentResponse;
import dev.courier.ops.incidents.IncidentRoutes;
import dev.courier.web.Routes;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Courier watching itself: request outcomes and pool reports feed the alert engine, whose alerts go to the log, to
 * webhooks and to the incident recorder. Built in one call by the composition root, stopped in reverse order.
 */
public final class Observability implements AutoCloseable {

    private final HttpMetrics httpMetrics;
    private final AlertEngine engine;
    private final IncidentRecorder incidents;
    private final WebhookNotifier webhooks;
    private final Database database;

    private Observability(HttpMetrics httpMetrics, AlertEngine engine, IncidentRecorder incidents,
                          WebhookNotifier webhooks, Database database) {
        this.httpMetrics = httpMetrics;
        this.engine = engine;
        this.incidents = incidents;
        this.webhooks = webhooks;
        this.database = database;
    }

    public static Observability start(AlertConfig config, PoolConfig pool, int port, Database database,
                                      MeterRegistry meters, FailedAuditChecks audit, PauseDetector pauses,
                                      Supplier<BusLink> bus) {
        PoolEventLog poolEvents = new PoolEventLog(meters);
        database.addListener(poolEvents);
        long overdueMillis = pool.leakWarning().toMillis();
        Gauge.builder(MetricNames.POOL_LEASES_OVERDUE, database, db -> {
            long now = System.nanoTime();
            return db.pool().leases().stream().filter(l -> l.heldMillis(now) >= overdueMillis).count();
        }).description("Database connections held past the leak warning threshold right now, leaked or slow")
                .register(meters);
        RequestWindow traffic = new RequestWindow(config.trafficWindow(), config.latencyObjective());
        ImpactTracker impact = new ImpactTracker();
        HttpMetrics httpMetrics = new HttpMetrics(meters, config.latencyObjective(), List.of(traffic, impact));

        IncidentRecorder incidents = new IncidentRecorder(database, impact, meters);
        database.addListener(incidents);
        String host = hostName();
        // alerts of an incident a person acknowledged are not posted again: the person is on it
        WebhookNotifier webhooks = new WebhookNotifier(config.webhooks(),
                "http://" + host + ":" + port + "/v1/admin/alerts", host + ":" + port, WebhookNotifier.RESEND,
                incidents::acknowledgedAlert, meters);
        List<AlertListener> listeners = new ArrayList<>(List.of(new AlertLog(), incidents, webhooks));
        FigureSampler sampler = new FigureSampler(database, poolEvents, traffic, meters, config, pauses, bus);
        AlertEngine engine = new AlertEngine(DefaultRules.all(config, audit), sampler::sample, listeners,
                config.evaluationInterval(), meters);
        engine.start();
        return new Observability(httpMetrics, engine, incidents, webhooks, database);
    }

    /** Times requests and hands their outcomes to the alert windows and the incident impact. */
    public HttpMetrics httpMetrics() {
        return httpMetrics;
    }

    /** Where other subsystems (fault injection) report evidence for the incident timeline. */
    public IncidentRecorder incidents() {
        return incidents;
    }

    public AlertEngine alerts() {
        return engine;
    }

    /** The admin routes: alerts and incidents. */
    public void register(Routes routes) {
        new AlertRoutes(engine).register(routes);
        new IncidentRoutes(database, new IncidentResponse(database, incidents, webhooks, engine::alerts))
                .register(routes);
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }

    @Override
    public void close() {
        engine.close();
        webhooks.close();
        incidents.close();
    }
}
