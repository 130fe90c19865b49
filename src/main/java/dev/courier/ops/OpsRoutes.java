package dev.courier.ops;

import io.javalin.config.RoutesConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Map;

/** {@code /health/live}, {@code /health/ready} and {@code /metrics}. */
public final class OpsRoutes {

    private final Health health;
    private final PrometheusMeterRegistry registry;

    public OpsRoutes(Health health, PrometheusMeterRegistry registry) {
        this.health = health;
        this.registry = registry;
    }

    public void register(RoutesConfig routes) {
        routes.get("/health/live", ctx -> ctx.json(Map.of("status", "up")));
        routes.get("/health/ready", ctx -> {
            Health.Report report = health.ready();
            if (!report.up()) {
                ctx.header("Retry-After", "5");
            }
            ctx.status(report.up() ? 200 : 503).json(report);
        });
        routes.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8")
                .result(registry.scrape()));
    }
}
