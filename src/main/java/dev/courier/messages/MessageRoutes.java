package dev.courier.messages;

import dev.courier.accounts.Authentication;
import dev.courier.ratelimit.Limit;
import dev.courier.web.JsonBody;
import dev.courier.web.QueryParams;
import dev.courier.web.RoutePolicy;
import dev.courier.web.Routes;
import io.javalin.http.Context;

/** {@code /v1/conversations/{id}/messages} and {@code /read}. */
public final class MessageRoutes {

    private final MessageService messages;

    public MessageRoutes(MessageService messages) {
        this.messages = messages;
    }

    public void register(Routes routes) {
        // the same buckets as the stream's send and read frames (stream.ClientFrame)
        routes.post("/v1/conversations/{id}/messages", RoutePolicy.user().spending(Limit.MESSAGES), this::send);
        routes.get("/v1/conversations/{id}/messages", RoutePolicy.user(), this::history);
        routes.post("/v1/conversations/{id}/read", RoutePolicy.user().spending(Limit.WRITES), this::markRead);
    }

    private void send(Context ctx) {
        long caller = Authentication.user(ctx).id();
        long conversationId = QueryParams.pathId(ctx, "id");
        JsonBody body = JsonBody.of(ctx);
        MessageService.Sent sent = messages.send(caller, conversationId, body.requiredUuid("clientMsgId"),
                body.requiredString("body"));
        ctx.status(sent.created() ? 201 : 200).json(sent.message());
    }

    private void history(Context ctx) {
        long caller = Authentication.user(ctx).id();
        long conversationId = QueryParams.pathId(ctx, "id");
        Long after = QueryParams.optionalSeq(ctx, "after");
        Long before = QueryParams.optionalSeq(ctx, "before");
        int limit = QueryParams.intParam(ctx, "limit", 50, 1, 500);
        ctx.json(messages.history(caller, conversationId, after, before, limit));
    }

    private void markRead(Context ctx) {
        long caller = Authentication.user(ctx).id();
        long conversationId = QueryParams.pathId(ctx, "id");
        messages.markRead(caller, conversationId, JsonBody.of(ctx).requiredLong("seq"));
        ctx.status(204);
    }
}
