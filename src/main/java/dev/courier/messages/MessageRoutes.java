package dev.courier.messages;

import dev.courier.accounts.Authentication;
import dev.courier.ratelimit.Limit;
import dev.courier.web.ApiException;
import dev.courier.web.JsonBody;
import dev.courier.web.QueryParams;
import dev.courier.web.RoutePolicy;
import dev.courier.web.Routes;
import io.javalin.http.Context;
import java.util.List;

/**
 * {@code /v1/conversations/{id}/messages}, each message's edits, deletes and reactions, and {@code /read}. The
 * changes spend the {@code writes} bucket: a burst of reactions draws from the same allowance as every other write,
 * and never from the one for messages.
 */
public final class MessageRoutes {

    private static final String MESSAGE = "/v1/conversations/{id}/messages/{seq}";

    private final MessageService messages;
    private final MessageChanges changes;

    public MessageRoutes(MessageService messages, MessageChanges changes) {
        this.messages = messages;
        this.changes = changes;
    }

    public void register(Routes routes) {
        // the same buckets as the stream's send and read frames (stream.ClientFrame)
        routes.post("/v1/conversations/{id}/messages", RoutePolicy.user().spending(Limit.MESSAGES), this::send);
        routes.get("/v1/conversations/{id}/messages", RoutePolicy.user(), this::history);
        routes.patch(MESSAGE, RoutePolicy.user().spending(Limit.WRITES), this::edit);
        routes.delete(MESSAGE, RoutePolicy.user().spending(Limit.WRITES), this::delete);
        routes.put(MESSAGE + "/reactions/{emoji}", RoutePolicy.user().spending(Limit.WRITES), this::react);
        routes.delete(MESSAGE + "/reactions/{emoji}", RoutePolicy.user().spending(Limit.WRITES), this::unreact);
        routes.post("/v1/conversations/{id}/read", RoutePolicy.user().spending(Limit.WRITES), this::markRead);
    }

    private void send(Context ctx) {
        long caller = Authentication.user(ctx).id();
        long conversationId = QueryParams.pathId(ctx, "id");
        JsonBody body = JsonBody.of(ctx);
        MessageService.Sent sent = messages.send(caller, conversationId, body.requiredUuid("clientMsgId"),
                body.requiredString("body"), body.optionalLong("replyTo").orElse(null),
                body.optionalStringList("attachments").orElse(List.of()));
        ctx.status(sent.created() ? 201 : 200).json(sent.message());
    }

    /** {@code after} or {@code before} pages through messages by seq; {@code changedAfter} through changes. */
    private void history(Context ctx) {
        long caller = Authentication.user(ctx).id();
        long conversationId = QueryParams.pathId(ctx, "id");
        Long after = QueryParams.optionalSeq(ctx, "after");
        Long before = QueryParams.optionalSeq(ctx, "before");
        Long changedAfter = QueryParams.optionalSeq(ctx, "changedAfter");
        int limit = QueryParams.intParam(ctx, "limit", 50, 1, 500);
        if (changedAfter != null) {
            if (after != null || before != null) {
                throw ApiException.invalid("changedAfter", "give changedAfter alone, without after or before");
            }
            ctx.json(changes.changedAfter(caller, conversationId, changedAfter, limit));
            return;
        }
        ctx.json(messages.history(caller, conversationId, after, before, limit));
    }

    private void edit(Context ctx) {
        long caller = Authentication.user(ctx).id();
        String body = JsonBody.of(ctx).requiredString("body");
        ctx.json(changes.edit(caller, QueryParams.pathId(ctx, "id"), QueryParams.pathId(ctx, "seq"), body));
    }

    private void delete(Context ctx) {
        changes.delete(Authentication.user(ctx).id(), QueryParams.pathId(ctx, "id"), QueryParams.pathId(ctx, "seq"));
        ctx.status(204);
    }

    private void react(Context ctx) {
        changes.react(Authentication.user(ctx).id(), QueryParams.pathId(ctx, "id"), QueryParams.pathId(ctx, "seq"),
                ctx.pathParam("emoji"));
        ctx.status(204);
    }

    private void unreact(Context ctx) {
        changes.unreact(Authentication.user(ctx).id(), QueryParams.pathId(ctx, "id"), QueryParams.pathId(ctx, "seq"),
                ctx.pathParam("emoji"));
        ctx.status(204);
    }

    private void markRead(Context ctx) {
        long caller = Authentication.user(ctx).id();
        long conversationId = QueryParams.pathId(ctx, "id");
        messages.markRead(caller, conversationId, JsonBody.of(ctx).requiredLong("seq"));
        ctx.status(204);
    }
}
