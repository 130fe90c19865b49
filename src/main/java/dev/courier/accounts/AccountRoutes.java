package dev.courier.accounts;

import dev.courier.ratelimit.Limit;
import dev.courier.ratelimit.LoginThrottle;
import dev.courier.web.ApiException;
import dev.courier.web.ClientAddresses;
import dev.courier.web.JsonBody;
import dev.courier.web.QueryParams;
import dev.courier.web.RoutePolicy;
import dev.courier.web.Routes;
import io.javalin.http.Context;
import java.util.List;
import java.util.Map;

/**
 * {@code /v1/accounts}, {@code /v1/sessions}, {@code /v1/me} and what hangs under it, {@code /v1/users/{username}}.
 * The routes that check a password (login, a password change, deleting the account) go through the login throttle,
 * keyed by the username, so a stolen token does not buy unlimited guesses at its owner's password.
 */
public final class AccountRoutes {

    /** {@code GET /v1/me/sessions}. */
    record SessionList(List<SessionInfo> sessions) {
    }

    private final AccountService accounts;
    private final MyAccount myAccount;
    private final LoginThrottle throttle;
    private final ClientAddresses addresses;

    public AccountRoutes(AccountService accounts, MyAccount myAccount, LoginThrottle throttle,
                         ClientAddresses addresses) {
        this.accounts = accounts;
        this.myAccount = myAccount;
        this.throttle = throttle;
        this.addresses = addresses;
    }

    public void register(Routes routes) {
        routes.post("/v1/accounts", RoutePolicy.passwordHashing().spending(Limit.ACCOUNTS), this::createAccount);
        routes.post("/v1/sessions", RoutePolicy.passwordHashing().spending(Limit.SESSIONS), this::login);
        // nobody should be kept from ending their session: no bucket
        routes.delete("/v1/sessions/current", RoutePolicy.user(), this::logout);
        routes.get("/v1/me", RoutePolicy.user(), ctx -> ctx.json(accounts.me(Authentication.user(ctx).id())));
        routes.patch("/v1/me", RoutePolicy.user().spending(Limit.WRITES), this::rename);
        routes.put("/v1/me/password", RoutePolicy.userSlowByDesign().spending(Limit.WRITES), this::changePassword);
        routes.get("/v1/me/sessions", RoutePolicy.user(), this::sessions);
        routes.delete("/v1/me/sessions/{id}", RoutePolicy.user().spending(Limit.WRITES), this::revokeSession);
        routes.delete("/v1/me", RoutePolicy.userSlowByDesign().spending(Limit.WRITES), this::deleteAccount);
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
        AccountService.Origin origin = new AccountService.Origin(ctx.header("User-Agent"), addresses.of(ctx));
        AccountService.LoginResult result = throttle.attempt(username, origin.address(),
                () -> accounts.login(username, password, origin));
        ctx.status(201).json(Map.of("token", result.token(), "expiresAt", result.expiresAt(), "user", result.user()));
    }

    private void logout(Context ctx) {
        accounts.logout(Authentication.session(ctx));
        ctx.status(204);
    }

    private void rename(Context ctx) {
        JsonBody body = JsonBody.of(ctx);
        ctx.json(myAccount.rename(Authentication.session(ctx), body.requiredString("displayName")));
    }

    private void changePassword(Context ctx) {
        JsonBody body = JsonBody.of(ctx);
        String current = body.requiredString("currentPassword");
        String next = body.requiredString("newPassword");
        Session session = Authentication.session(ctx);
        throttle.attempt(session.user().username(), addresses.of(ctx), () -> {
            myAccount.changePassword(session, current, next);
            return null;
        });
        ctx.status(204);
    }

    private void sessions(Context ctx) {
        ctx.json(new SessionList(myAccount.sessions(Authentication.session(ctx))));
    }

    private void revokeSession(Context ctx) {
        myAccount.revokeSession(Authentication.session(ctx), QueryParams.pathId(ctx, "id"));
        ctx.status(204);
    }

    private void deleteAccount(Context ctx) {
        JsonBody body = JsonBody.of(ctx);
        String password = body.requiredString("password");
        Session session = Authentication.session(ctx);
        throttle.attempt(session.user().username(), addresses.of(ctx), () -> {
            myAccount.delete(session, password);
            return null;
        });
        ctx.status(204);
    }

    private void user(Context ctx) {
        ctx.json(accounts.byUsername(ctx.pathParam("username"), Authentication.user(ctx).id())
                .orElseThrow(() -> ApiException.notFound("no such user")));
    }
}
