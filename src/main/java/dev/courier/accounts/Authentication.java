package dev.courier.accounts;

import dev.courier.web.ApiException;
import dev.courier.web.BearerToken;
import dev.courier.web.ErrorCode;
import io.javalin.http.Context;
import java.util.Optional;

/** Resolves the bearer token of a request (or the socket's {@code access_token}) to its session. */
public final class Authentication {

    private static final String ATTRIBUTE = "courier.session";

    private final AccountService accounts;

    public Authentication(AccountService accounts) {
        this.accounts = accounts;
    }

    /** Before-handler for every authenticated endpoint. */
    public void require(Context ctx) {
        String token = BearerToken.from(ctx.header("Authorization")).orElse(null);
        Session session = accounts.authenticate(token)
                .orElseThrow(() -> ApiException.of(ErrorCode.UNAUTHORIZED, "missing, expired or revoked token"));
        ctx.attribute(ATTRIBUTE, session);
    }

    public Optional<Session> authenticate(String token) {
        return accounts.authenticate(token);
    }

    public static Session session(Context ctx) {
        Session session = ctx.attribute(ATTRIBUTE);
        if (session == null) {
            throw ApiException.of(ErrorCode.UNAUTHORIZED, "missing, expired or revoked token");
        }
        return session;
    }

    /** The session of a request that passed authentication, if it did. */
    public static Optional<Session> currentSession(Context ctx) {
        return Optional.ofNullable(ctx.attribute(ATTRIBUTE));
    }

    public static User user(Context ctx) {
        return session(ctx).user();
    }
}
