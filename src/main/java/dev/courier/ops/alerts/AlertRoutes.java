package dev.courier.ops.alerts;

import dev.courier.web.RoutePolicy;
import dev.courier.web.Routes;
import java.util.Map;

/** {@code GET /v1/admin/alerts}: firing alerts first, then recently resolved ones. */
public final class AlertRoutes {

    private final AlertEngine engine;

    public AlertRoutes(AlertEngine engine) {
        this.engine = engine;
    }

    public void register(Routes routes) {
        routes.get("/v1/admin/alerts", RoutePolicy.admin(), ctx -> ctx.json(Map.of("alerts", engine.alerts())));
    }
}
