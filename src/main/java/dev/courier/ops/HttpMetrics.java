package dev.courier.ops;

import io.javalin.http.Context;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;

/** Times every HTTP request by method, route template (never the raw path) and status. */
public final class HttpMetrics {

    private static final String START = "courier.requestStartNanos";

    private final MeterRegistry registry;

    public HttpMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    public void start(Context ctx) {
        ctx.attribute(START, System.nanoTime());
    }

    public void finish(Context ctx) {
        Long start = ctx.attribute(START);
        if (start == null) {
            return;
        }
        String route;
        try {
            route = ctx.endpoint().path;
        } catch (RuntimeException unmatched) {
            route = "unmatched";
        }
        Timer.builder(MetricNames.HTTP_REQUESTS)
                .description("HTTP requests by method, route and status")
                .tag("method", ctx.method().name())
                .tag("route", route)
                .tag("status", String.valueOf(ctx.statusCode()))
                .publishPercentileHistogram()
                .register(registry)
                .record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
    }
}
