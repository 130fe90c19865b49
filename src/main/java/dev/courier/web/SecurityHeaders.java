package dev.courier.web;

import io.javalin.http.Context;
import org.eclipse.jetty.http.HttpFields;

/**
 * Headers every answer carries, errors and 404s included. The API serves JSON only, so its content policy
 * forbids everything; a handler that serves an HTML page replaces {@code Content-Security-Policy} with the
 * strict policy that page needs (see docs/security.md).
 */
public final class SecurityHeaders {

    public static final String CONTENT_SECURITY_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'";

    private SecurityHeaders() {
    }

    public static void applyTo(Context ctx) {
        ctx.header("Cache-Control", "no-store");
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.header("Content-Security-Policy", CONTENT_SECURITY_POLICY);
        ctx.header("Referrer-Policy", "no-referrer");
        ctx.header("X-Frame-Options", "DENY");
    }

    static void applyTo(HttpFields.Mutable fields) {
        fields.put("Cache-Control", "no-store");
        fields.put("X-Content-Type-Options", "nosniff");
        fields.put("Content-Security-Policy", CONTENT_SECURITY_POLICY);
        fields.put("Referrer-Policy", "no-referrer");
        fields.put("X-Frame-Options", "DENY");
    }
}
