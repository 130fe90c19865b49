package dev.courier.ratelimit;

import dev.courier.accounts.Authentication;
import dev.courier.web.ClientAddresses;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;

/**
 * Charges each REST request to its bucket before the handler runs: account creation and login per client
 * address, sends and other writes per user. Registered after authentication, so the user is known. Reads and
 * logout are never limited: nobody should be kept from reading or from ending their session.
 */
public final class RateLimitFilter {

    private static final String MESSAGES_ROUTE = "/v1/conversations/{id}/messages";

    private final RateLimiter limiter;
    private final ClientAddresses addresses;

    public RateLimitFilter(RateLimiter limiter, ClientAddresses addresses) {
        this.limiter = limiter;
        this.addresses = addresses;
    }

    public void register(RoutesConfig routes) {
        routes.beforeMatched("/v1/*", this::charge);
    }

    private void charge(Context ctx) {
        HandlerType method = ctx.method();
        boolean write = method == HandlerType.POST || method == HandlerType.PUT || method == HandlerType.PATCH
                || method == HandlerType.DELETE;
        String route = ctx.endpoint().path;
        if (!write || route.startsWith("/v1/admin/") || route.equals("/v1/sessions/current")) {
            return;
        }
        switch (route) {
            case "/v1/accounts" -> limiter.check(Limit.ACCOUNTS, addresses.of(ctx));
            case "/v1/sessions" -> limiter.check(Limit.SESSIONS, addresses.of(ctx));
            case MESSAGES_ROUTE -> limiter.checkUser(Limit.MESSAGES, Authentication.user(ctx).id());
            default -> limiter.checkUser(Limit.WRITES, Authentication.user(ctx).id());
        }
    }
}
