package dev.courier.ops.alerts;

import io.javalin.config.RoutesConfig;
import java.util.Map;

/** {@code GET /v1/admin/alerts}: firing alerts first, then recently resolved ones. */
public final class AlertRoutes {

    private final AlertEngine engine;

    public AlertRoutes(AlertEngine engine) {
        this.engine = engine;
    }

    public void register(RoutesConfig routes) {
        routes.get("/v1/admin/alerts", ctx -> ctx.json(Map.of("alerts", engine.alerts())));
    }
}
