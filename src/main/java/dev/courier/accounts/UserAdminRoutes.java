package dev.courier.accounts;

import dev.courier.web.QueryParams;
import dev.courier.web.RoutePolicy;
import dev.courier.web.Routes;
import io.javalin.http.Context;

/** {@code /v1/admin/users}: finding, deactivating and reactivating users. */
public final class UserAdminRoutes {

    private final UserAdministration administration;

    public UserAdminRoutes(UserAdministration administration) {
        this.administration = administration;
    }

    public void register(Routes routes) {
        routes.get("/v1/admin/users", RoutePolicy.admin(), this::find);
        routes.post("/v1/admin/users/{id}/deactivate", RoutePolicy.admin(), ctx -> {
            administration.deactivate(QueryParams.pathId(ctx, "id"));
            ctx.status(204);
        });
        routes.post("/v1/admin/users/{id}/reactivate", RoutePolicy.admin(), ctx -> {
            administration.reactivate(QueryParams.pathId(ctx, "id"));
            ctx.status(204);
        });
    }

    private void find(Context ctx) {
        String query = ctx.queryParam("query");
        if (query != null && query.length() > 100) {
            throw dev.courier.web.ApiException.invalid("query", "query must be at most 100 characters");
        }
        ctx.json(administration.find(query, QueryParams.intParam(ctx, "limit", 50, 1, 200), ctx.queryParam("cursor")));
    }
}
