package dev.courier.conversations;

import dev.courier.accounts.Authentication;
import dev.courier.ratelimit.Limit;
import dev.courier.web.ApiException;
import dev.courier.web.JsonBody;
import dev.courier.web.QueryParams;
import dev.courier.web.RoutePolicy;
import dev.courier.web.Routes;
import io.javalin.http.Context;

/** {@code /v1/conversations} and its members. */
public final class ConversationRoutes {

    private final ConversationService conversations;

    public ConversationRoutes(ConversationService conversations) {
        this.conversations = conversations;
    }

    public void register(Routes routes) {
        RoutePolicy write = RoutePolicy.user().spending(Limit.WRITES);
        routes.post("/v1/conversations", write, this::create);
        routes.get("/v1/conversations", RoutePolicy.user(), this::list);
        routes.get("/v1/conversations/{id}", RoutePolicy.user(), this::get);
        routes.post("/v1/conversations/{id}/members", write, this::addMember);
        routes.delete("/v1/conversations/{id}/members/{userId}", write, this::removeMember);
    }

    private void create(Context ctx) {
        long caller = Authentication.user(ctx).id();
        JsonBody body = JsonBody.of(ctx);
        String type = body.requiredString("type");
        switch (type) {
            case Conversation.DIRECT -> {
                ConversationService.Opened opened = conversations.openDirect(caller, body.requiredLongList("members"));
                ctx.status(opened.created() ? 201 : 200).json(opened.conversation());
            }
            case Conversation.GROUP -> {
                String title = body.requiredString("title");
                ctx.status(201).json(conversations.createGroup(caller, title, body.requiredLongList("members")));
            }
            default -> throw ApiException.invalid("type", "type must be \"direct\" or \"group\"");
        }
    }

    private void list(Context ctx) {
        int limit = QueryParams.intParam(ctx, "limit", 50, 1, 200);
        String cursor = ctx.queryParam("cursor");
        ConversationService.Page page = conversations.list(Authentication.user(ctx).id(),
                cursor == null || cursor.isEmpty() ? null : cursor, limit);
        ctx.json(new ListBody(page.conversations(), page.next()));
    }

    private void get(Context ctx) {
        ctx.json(conversations.get(Authentication.user(ctx).id(), QueryParams.pathId(ctx, "id")));
    }

    private void addMember(Context ctx) {
        long caller = Authentication.user(ctx).id();
        long id = QueryParams.pathId(ctx, "id");
        long userId = JsonBody.of(ctx).requiredLong("userId");
        ctx.json(conversations.addMember(caller, id, userId));
    }

    private void removeMember(Context ctx) {
        long caller = Authentication.user(ctx).id();
        long id = QueryParams.pathId(ctx, "id");
        long userId = QueryParams.pathId(ctx, "userId");
        conversations.removeMember(caller, id, userId);
        ctx.status(204);
    }

    /** {@code {"conversations": [...], "next": cursor-or-null}}; a record keeps the null {@code next} in the JSON. */
    record ListBody(java.util.List<Conversation> conversations, String next) {
    }

}
