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

    /** Set on a request that presented the admin token: the token's id, for the audit log. */
    private static final String ACTOR = "courier.adminActor";

    private final Optional<byte[]> token;
    private final String tokenId;

    public AdminAuthentication(Optional<String> token) {
        this.token = token.map(t -> t.getBytes(StandardCharsets.UTF_8));
        this.tokenId = this.token.map(AdminAuthentication::idOf).orElse(null);
    }

    /**
     * Names a token without revealing it: the first 12 hex digits of its SHA-256. Enough to tell two tokens apart in
     * the audit log after a rotation, far too little to find the token from.
     */
    static String idOf(byte[] token) {
        try {
            return java.util.HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token)).substring(0, 12);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    /** The id of the admin token the request presented, when it presented the right one. */
    public static Optional<String> actor(Context ctx) {
        return Optional.ofNullable(ctx.attribute(ACTOR));
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
        ctx.attribute(ACTOR, tokenId);
    }
}
