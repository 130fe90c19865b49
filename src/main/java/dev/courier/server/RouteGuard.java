package dev.courier.server;

import dev.courier.accounts.Authentication;
import dev.courier.db.Database;
import dev.courier.db.OperationScope;
import dev.courier.ratelimit.Limit;
import dev.courier.ratelimit.RateLimiter;
import dev.courier.web.AdminAuthentication;
import dev.courier.web.ClientAddresses;
import dev.courier.web.RoutePolicy;
import io.javalin.http.Context;
import io.javalin.router.Endpoint;

/**
 * Applies the policy the matched route declares, before its handler: an admission place first (a refusal for load
 * then costs no token check and no bucket), then the caller, then the rate-limit bucket, charged to the caller once
 * the caller is known. Gives the admission place back when the request ends.
 */
final class RouteGuard {

    private static final String SCOPE = "courier.operationScope";

    private final Database database;
    private final Authentication users;
    private final AdminAuthentication operator;
    private final RateLimiter limiter;
    private final ClientAddresses addresses;

    RouteGuard(Database database, Authentication users, AdminAuthentication operator, RateLimiter limiter,
               ClientAddresses addresses) {
        this.database = database;
        this.users = users;
        this.operator = operator;
        this.limiter = limiter;
        this.addresses = addresses;
    }

    /** Before the handler of the matched route; a request that matched no endpoint (a static page) has no policy. */
    void applyPolicy(Context ctx) {
        Endpoint endpoint = ctx.endpoints().matchedHttpEndpoint();
        if (endpoint == null) {
            return;
        }
        RoutePolicy policy = endpoint.metadata(RoutePolicy.class);
        if (policy == null) {
            // fail closed: a route registered past web.Routes would otherwise be open to anyone, and unlimited
            throw new IllegalStateException(endpoint.method + " " + endpoint.path + " declares no route policy");
        }
        admit(ctx, endpoint, policy.admission());
        switch (policy.caller()) {
            case ANYONE -> { }
            case USER -> users.require(ctx);
            // also refused by path before routing; this keeps a route declared ADMIN closed wherever it lives
            case ADMIN -> operator.require(ctx);
        }
        policy.limit().ifPresent(limit -> charge(ctx, policy.caller(), limit));
    }

    /** After the request is answered: ends its operation scope, if it took one. */
    void endScope(Context ctx) {
        OperationScope scope = ctx.attribute(SCOPE);
        if (scope != null) {
            if (ctx.statusCode() == 503) {
                scope.refusedForLoad();
            }
            scope.close();
        }
    }

    /** Takes the admission place and opens the scope that takes back what the request leaks when it ends. */
    private void admit(Context ctx, Endpoint endpoint, RoutePolicy.Admission admission) {
        if (admission == RoutePolicy.Admission.EXEMPT) {
            return;
        }
        OperationScope scope = database.openScope("http " + ctx.method() + " " + endpoint.path);
        ctx.attribute(SCOPE, scope);
        if (admission == RoutePolicy.Admission.SLOW_BY_DESIGN) {
            scope.slowByDesign();
        }
    }

    private void charge(Context ctx, RoutePolicy.Caller caller, Limit limit) {
        if (caller == RoutePolicy.Caller.USER) {
            limiter.checkUser(limit, Authentication.user(ctx).id());
        } else {
            limiter.check(limit, addresses.of(ctx));
        }
    }
}
