package dev.courier.ratelimit;

import dev.courier.accounts.Authentication;
import dev.courier.web.ClientAddresses;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.util.regex.Pattern;

/**
 * Charges each REST request to its bucket before the handler runs: account creation and login per client
 * address, sends and other writes per user. Registered after authentication, so the user is known. Reads and
 * logout are never limited: nobody should be kept from reading or from ending their session.
 */
public final class RateLimitFilter {

    // beforeMatched runs before the endpoint is chosen, so the path is classified here rather than by route name
    private static final Pattern MESSAGES = Pattern.compile("/v1/conversations/[^/]+/messages/?");

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
        String path = ctx.path();
        if (path.length() > 1 && path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        if (!write || path.startsWith("/v1/admin/") || path.equals("/v1/sessions/current")) {
            return;
        }
        if (path.equals("/v1/accounts")) {
            limiter.check(Limit.ACCOUNTS, addresses.of(ctx));
        } else if (path.equals("/v1/sessions")) {
            limiter.check(Limit.SESSIONS, addresses.of(ctx));
        } else if (MESSAGES.matcher(path).matches()) {
            limiter.checkUser(Limit.MESSAGES, Authentication.user(ctx).id());
        } else {
            limiter.checkUser(Limit.WRITES, Authentication.user(ctx).id());
        }
    }
}
