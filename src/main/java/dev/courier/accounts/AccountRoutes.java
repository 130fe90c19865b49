package dev.courier.accounts;

import dev.courier.ratelimit.Limit;
import dev.courier.ratelimit.LoginThrottle;
import dev.courier.web.ApiException;
import dev.courier.web.ClientAddresses;
import dev.courier.web.JsonBody;
import dev.courier.web.RoutePolicy;
import dev.courier.web.Routes;
import io.javalin.http.Context;
import java.util.Map;

/** {@code /v1/accounts}, {@code /v1/sessions}, {@code /v1/me}, {@code /v1/users/{username}}. */
public final class AccountRoutes {

    private final AccountService accounts;
    private final LoginThrottle throttle;
    private final ClientAddresses addresses;

    public AccountRoutes(AccountService accounts, LoginThrottle throttle, ClientAddresses addresses) {
        this.accounts = accounts;
        this.throttle = throttle;
        this.addresses = addresses;
    }

    public void register(Routes routes) {
        routes.post("/v1/accounts", RoutePolicy.passwordHashing().spending(Limit.ACCOUNTS), this::createAccount);
        routes.post("/v1/sessions", RoutePolicy.passwordHashing().spending(Limit.SESSIONS), this::login);
        // nobody should be kept from ending their session: no bucket
        routes.delete("/v1/sessions/current", RoutePolicy.user(), this::logout);
        routes.get("/v1/me", RoutePolicy.user(), ctx -> ctx.json(Authentication.user(ctx)));
        routes.get("/v1/users/{username}", RoutePolicy.user(), this::user);
    }

    private void createAccount(Context ctx) {
        JsonBody body = JsonBody.of(ctx);
        User user = accounts.register(body.requiredString("username"), body.requiredString("password"),
                body.optionalString("displayName"));
        ctx.status(201).json(user);
    }

    private void login(Context ctx) {
        JsonBody body = JsonBody.of(ctx);
        String username = body.requiredString("username");
        String password = body.requiredString("password");
        AccountService.LoginResult result = throttle.attempt(username, addresses.of(ctx),
                () -> accounts.login(username, password));
        ctx.status(201).json(Map.of("token", result.token(), "expiresAt", result.expiresAt(), "user", result.user()));
    }

    private void logout(Context ctx) {
        accounts.logout(Authentication.session(ctx));
        ctx.status(204);
    }

    private void user(Context ctx) {
        ctx.json(accounts.byUsername(ctx.pathParam("username"), Authentication.user(ctx).id())
                .orElseThrow(() -> ApiException.notFound("no such user")));
    }
}
