package dev.courier.web;

import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Cross-origin access for browsers: closed unless an origin is on the allow-list. An allowed origin gets its
 * own name back (never {@code *}, never credentials: the API authenticates with a bearer header, not cookies),
 * and a preflight is answered here, before authentication, since browsers send it without the token.
 */
public final class CorsPolicy {

    private static final String ALLOWED_METHODS = "GET, POST, PUT, PATCH, DELETE";
    private static final String ALLOWED_HEADERS = "Authorization, Content-Type";
    private static final String EXPOSED_HEADERS = "Retry-After, X-Request-Id";
    private static final String PREFLIGHT_MAX_AGE_SECONDS = "600";
    private static final Set<String> METHODS = Set.of("GET", "POST", "PUT", "PATCH", "DELETE");

    private final List<String> origins;

    public CorsPolicy(List<String> origins) {
        this.origins = origins.stream().map(o -> o.toLowerCase(Locale.ROOT)).toList();
    }

    /**
     * Adds the CORS headers a request earns. Returns true when the request was a preflight and is fully answered
     * ({@code 204} when allowed, {@code 403 forbidden} when not).
     */
    public boolean apply(Context ctx) {
        String origin = ctx.header("Origin");
        boolean preflight = ctx.method() == HandlerType.OPTIONS && origin != null
                && ctx.header("Access-Control-Request-Method") != null;
        boolean allowed = origin != null && origins.contains(origin.toLowerCase(Locale.ROOT));
        if (origin != null) {
            // caches must not hand one origin's answer to another
            ctx.header("Vary", "Origin");
        }
        if (allowed) {
            ctx.header("Access-Control-Allow-Origin", origin);
            ctx.header("Access-Control-Expose-Headers", EXPOSED_HEADERS);
        }
        if (!preflight) {
            return false;
        }
        String method = ctx.header("Access-Control-Request-Method").trim().toUpperCase(Locale.ROOT);
        if (!allowed || !METHODS.contains(method)) {
            throw ApiException.of(ErrorCode.FORBIDDEN, "cross-origin request not allowed");
        }
        ctx.header("Access-Control-Allow-Methods", ALLOWED_METHODS);
        ctx.header("Access-Control-Allow-Headers", ALLOWED_HEADERS);
        ctx.header("Access-Control-Max-Age", PREFLIGHT_MAX_AGE_SECONDS);
        ctx.status(204);
        return true;
    }
}
