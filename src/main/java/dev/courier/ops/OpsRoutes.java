package dev.courier.ops;

import dev.courier.web.RoutePolicy;
import dev.courier.web.Routes;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@code /health/live}, {@code /health/ready} and {@code /metrics}. */
public final class OpsRoutes {

    private static final String TEXT_FORMAT = "text/plain; version=0.0.4; charset=utf-8";

    private final Health health;
    private final PrometheusMeterRegistry registry;

    public OpsRoutes(Health health, PrometheusMeterRegistry registry) {
        this.health = health;
        this.registry = registry;
    }

    public void register(Routes routes) {
        routes.get("/health/live", RoutePolicy.probe(), ctx -> ctx.json(Map.of("status", "up")));
        routes.get("/health/ready", RoutePolicy.probe(), ctx -> {
            Health.Report report = health.ready();
            if (!report.up()) {
                ctx.header("Retry-After", "5");
            }
            ctx.status(report.up() ? 200 : 503).json(report);
        });
        routes.get("/metrics", RoutePolicy.probe(), ctx -> {
            // Prometheus's name[] convention: a scraper that reads a few families (the load tester reads the pool
            // gauges every second) skips serialising the rest, the per-call-site histograms above all. The names are
            // family names as the client library keys them: a counter without _total, a histogram without
            // _bucket/_count/_sum.
            List<String> families = ctx.queryParams("name[]");
            Set<String> included = families.isEmpty() ? null : Set.copyOf(families);
            ctx.contentType(TEXT_FORMAT).result(registry.scrape(TEXT_FORMAT, included));
        });
    }
}
