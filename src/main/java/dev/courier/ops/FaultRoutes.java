package dev.courier.ops;

import dev.courier.db.FaultInjection;
import dev.courier.db.FaultInjection.Faults;
import dev.courier.web.ApiException;
import dev.courier.web.JsonBody;
import dev.courier.web.RoutePolicy;
import dev.courier.web.Routes;
import io.javalin.http.Context;

/**
 * {@code GET/PUT /v1/admin/faults}. Registered only when fault injection is enabled; otherwise the path does not
 * exist ({@code 404}), and without the admin token it is {@code 404} or {@code 401} like every admin path.
 */
public final class FaultRoutes {

    private final FaultInjection faults;

    public FaultRoutes(FaultInjection faults) {
        this.faults = faults;
    }

    public void register(Routes routes) {
        routes.get("/v1/admin/faults", RoutePolicy.admin(), ctx -> ctx.json(faults.current()));
        routes.put("/v1/admin/faults", RoutePolicy.admin(), this::change);
    }

    private void change(Context ctx) {
        JsonBody body = JsonBody.of(ctx);
        Faults now = faults.current();
        double leakRate = body.optionalDouble("leakRate").orElse(now.leakRate());
        if (!(leakRate >= 0.0 && leakRate <= 1.0)) {
            throw ApiException.invalid("leakRate", "leakRate must be between 0 and 1");
        }
        long latency = body.optionalLong("queryLatencyMs").orElse(now.queryLatencyMs());
        if (latency < 0 || latency > FaultInjection.MAX_QUERY_LATENCY_MS) {
            throw ApiException.invalid("queryLatencyMs",
                    "queryLatencyMs must be between 0 and " + FaultInjection.MAX_QUERY_LATENCY_MS);
        }
        boolean down = body.optionalBoolean("databaseDown").orElse(now.databaseDown());
        ctx.json(faults.apply(new Faults(leakRate, latency, down)));
    }
}
