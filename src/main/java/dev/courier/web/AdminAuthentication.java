package dev.courier.web;

import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;

/**
 * Guards {@code /v1/admin/...}: without a configured admin token the admin API does not exist ({@code 404});
 * with one, any other bearer token, a user's session token included, is {@code 401}.
 */
public final class AdminAuthentication {

    /** Where the admin API lives; every path under it is refused before routing to a caller without the token. */
    public static final String PATHS = "/v1/admin/";

    private final Optional<byte[]> token;

    public AdminAuthentication(Optional<String> token) {
        this.token = token.map(t -> t.getBytes(StandardCharsets.UTF_8));
    }

    public boolean enabled() {
        return token.isPresent();
    }

    public void require(Context ctx) {
        if (token.isEmpty()) {
            // still 404, as if the routes did not exist, but saying why: the operator's next step is a flag
            throw ApiException.notFound("the admin API is off: this server was started without an admin token "
                    + "(--admin-token or COURIER_ADMIN_TOKEN)");
        }
        String presented = BearerToken.from(ctx.header("Authorization")).orElse("");
        // constant-time comparison: response timing must not reveal how much of the token was right
        if (!MessageDigest.isEqual(token.get(), presented.getBytes(StandardCharsets.UTF_8))) {
            throw ApiException.of(ErrorCode.UNAUTHORIZED, "admin token required");
        }
    }
}
