package dev.courier.search;

import dev.courier.accounts.Authentication;
import dev.courier.ratelimit.Limit;
import dev.courier.web.ApiException;
import dev.courier.web.QueryParams;
import dev.courier.web.RoutePolicy;
import dev.courier.web.Routes;
import io.javalin.http.Context;

/**
 * {@code GET /v1/search}. It spends the {@code search} bucket, its own: a search reads far more than any other request
 * (index pages and rows of every conversation the caller is in), so a client that searches as its user types is held
 * to a pace of its own without drawing on the allowance for sends and other writes.
 */
public final class SearchRoutes {

    private final SearchService search;

    public SearchRoutes(SearchService search) {
        this.search = search;
    }

    public void register(Routes routes) {
        routes.get("/v1/search", RoutePolicy.user().spending(Limit.SEARCH), this::search);
    }

    private void search(Context ctx) {
        long caller = Authentication.user(ctx).id();
        String q = ctx.queryParam("q");
        Long conversationId = conversationId(ctx);
        int limit = QueryParams.intParam(ctx, "limit", SearchService.DEFAULT_LIMIT, 1, SearchService.MAX_LIMIT);
        String cursor = ctx.queryParam("cursor");
        ctx.json(search.search(caller, q, conversationId, limit, cursor == null || cursor.isEmpty() ? null : cursor));
    }

    /** An optional conversation id: a positive int64, or absent. */
    private static Long conversationId(Context ctx) {
        String raw = ctx.queryParam("conversationId");
        if (raw == null || raw.isEmpty()) {
            return null;
        }
        try {
            long id = Long.parseLong(raw);
            if (id > 0) {
                return id;
            }
        } catch (NumberFormatException e) {
            // falls through to validation_failed
        }
        throw ApiException.invalid("conversationId", "conversationId must be a conversation's id");
    }
}
