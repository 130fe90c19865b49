package dev.courier.ops.incidents;

import dev.courier.db.Database;
import dev.courier.web.ApiException;
import dev.courier.web.RoutePolicy;
import dev.courier.web.Routes;
import io.javalin.http.Context;
import java.util.Map;

/** {@code GET /v1/admin/incidents}, {@code /v1/admin/incidents/{id}} and its Markdown postmortem draft. */
public final class IncidentRoutes {

    private static final int LIST_LIMIT = 100;

    private final Database database;
    private final IncidentStore store = new IncidentStore();

    public IncidentRoutes(Database database) {
        this.database = database;
    }

    public void register(Routes routes) {
        routes.get("/v1/admin/incidents", RoutePolicy.admin(), ctx -> ctx.json(Map.of("incidents",
                database.withHandle("incidents.list", h -> store.newest(h, LIST_LIMIT)))));
        routes.get("/v1/admin/incidents/{id}", RoutePolicy.admin(), ctx -> ctx.json(withTimeline(ctx)));
        routes.get("/v1/admin/incidents/{id}/postmortem", RoutePolicy.admin(),
                ctx -> ctx.contentType("text/markdown; charset=utf-8").result(Postmortem.markdown(withTimeline(ctx))));
    }

    private Incident withTimeline(Context ctx) {
        long id = id(ctx);
        return database.withHandle("incidents.show", h -> store.find(h, id)
                .map(incident -> incident.withTimeline(store.timeline(h, id))))
                .orElseThrow(() -> ApiException.notFound("no such incident"));
    }

    private static long id(Context ctx) {
        try {
            return Long.parseLong(ctx.pathParam("id"));
        } catch (NumberFormatException e) {
            throw ApiException.notFound("no such incident");
        }
    }
}
