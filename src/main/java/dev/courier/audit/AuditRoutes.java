package dev.courier.audit;

import dev.courier.web.QueryParams;
import dev.courier.web.RoutePolicy;
import dev.courier.web.Routes;

/** {@code GET /v1/admin/audit-log}. */
public final class AuditRoutes {

    private final AdminAuditLog log;

    public AuditRoutes(AdminAuditLog log) {
        this.log = log;
    }

    public void register(Routes routes) {
        routes.get("/v1/admin/audit-log", RoutePolicy.admin(), ctx -> ctx.json(
                log.page(QueryParams.intParam(ctx, "limit", 50, 1, 500), ctx.queryParam("cursor"))));
    }
}
