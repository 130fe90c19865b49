package dev.courier.ops.incidents;

import dev.courier.db.Database;
import dev.courier.web.ApiException;
import dev.courier.web.JsonBody;
import dev.courier.web.RoutePolicy;
import dev.courier.web.Routes;
import dev.courier.web.TextRules;
import io.javalin.http.Context;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code GET /v1/admin/incidents}, {@code /v1/admin/incidents/{id}} and its Markdown postmortem draft; and what
 * people do with an incident: acknowledge, notes, resolve, and the postmortem's fields ({@code PATCH}).
 */
public final class IncidentRoutes {

    private static final int LIST_LIMIT = 100;
    /** A person's name as they sign an entry. */
    static final int MAX_BY = 100;
    /** A note, an action, a status update or a resolution summary. */
    static final int MAX_TEXT = 4_000;
    /** The root cause and the lessons: a few paragraphs each. */
    static final int MAX_FINDING = 20_000;
    static final int MAX_CORRECTIVE_ACTIONS = 50;
    static final int MAX_CORRECTIVE_ACTION = 1_000;

    private final Database database;
    private final IncidentResponse response;
    private final IncidentStore store = new IncidentStore();

    public IncidentRoutes(Database database, IncidentResponse response) {
        this.database = database;
        this.response = response;
    }

    public void register(Routes routes) {
        routes.get("/v1/admin/incidents", RoutePolicy.admin(), ctx -> ctx.json(Map.of("incidents",
                database.withHandle("incidents.list", h -> store.newest(h, LIST_LIMIT)))));
        routes.get("/v1/admin/incidents/{id}", RoutePolicy.admin(), ctx -> ctx.json(withTimeline(ctx)));
        routes.get("/v1/admin/incidents/{id}/postmortem", RoutePolicy.admin(),
                ctx -> ctx.contentType("text/markdown; charset=utf-8").result(Postmortem.markdown(withTimeline(ctx))));
        routes.post("/v1/admin/incidents/{id}/acknowledge", RoutePolicy.admin(), ctx -> {
            JsonBody body = JsonBody.of(ctx);
            ctx.json(response.acknowledge(id(ctx), by(body)));
        });
        routes.post("/v1/admin/incidents/{id}/notes", RoutePolicy.admin(), ctx -> {
            JsonBody body = JsonBody.of(ctx);
            String by = by(body);
            String kindName = body.requiredString("kind");
            IncidentResponse.NoteKind kind = IncidentResponse.NoteKind.named(kindName).orElseThrow(
                    () -> ApiException.invalid("kind", "kind must be note, action or status"));
            String text = text(body, "text", MAX_TEXT);
            ctx.status(201).json(TimelineRow.of(response.addNote(id(ctx), by, kind, text)));
        });
        routes.post("/v1/admin/incidents/{id}/resolve", RoutePolicy.admin(), ctx -> {
            JsonBody body = JsonBody.of(ctx);
            String by = by(body);
            ctx.json(response.resolve(id(ctx), by, text(body, "summary", MAX_TEXT)));
        });
        routes.patch("/v1/admin/incidents/{id}", RoutePolicy.admin(), ctx -> {
            JsonBody body = JsonBody.of(ctx);
            Optional<String> rootCause = body.optionalString("rootCause")
                    .map(t -> TextRules.requireLength("rootCause", t, 0, MAX_FINDING));
            Optional<String> lessons = body.optionalString("lessons")
                    .map(t -> TextRules.requireLength("lessons", t, 0, MAX_FINDING));
            Optional<List<String>> actions = body.optionalStringList("correctiveActions").map(IncidentRoutes::actions);
            ctx.json(response.edit(id(ctx), rootCause, lessons, actions));
        });
    }

    private Incident withTimeline(Context ctx) {
        long id = id(ctx);
        return database.withHandle("incidents.show", h -> store.find(h, id)
                .map(incident -> incident.withTimeline(store.timeline(h, id))))
                .orElseThrow(IncidentResponse::unknown);
    }

    private static String by(JsonBody body) {
        return text(body, "by", MAX_BY);
    }

    /** A required text: present, within its length, and not only white space. */
    private static String text(JsonBody body, String field, int max) {
        String value = TextRules.requireLength(field, body.requiredString(field), 1, max);
        if (TextRules.isBlank(value)) {
            throw ApiException.invalid(field, field + " must not be blank");
        }
        return value;
    }

    private static List<String> actions(List<String> actions) {
        if (actions.size() > MAX_CORRECTIVE_ACTIONS) {
            throw ApiException.invalid("correctiveActions", "correctiveActions holds at most "
                    + MAX_CORRECTIVE_ACTIONS + " items");
        }
        for (String action : actions) {
            TextRules.requireLength("correctiveActions", action, 1, MAX_CORRECTIVE_ACTION);
            if (TextRules.isBlank(action)) {
                throw ApiException.invalid("correctiveActions", "a corrective action must not be blank");
            }
        }
        return actions;
    }

    private static long id(Context ctx) {
        try {
            return Long.parseLong(ctx.pathParam("id"));
        } catch (NumberFormatException e) {
            throw IncidentResponse.unknown();
        }
    }
}
