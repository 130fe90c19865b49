package dev.courier.web;

import io.javalin.http.staticfiles.StaticFileConfig;
import java.util.Map;

/**
 * The web client ({@code /}) and the operations console ({@code /ops}), served from {@code public/} in the jar.
 *
 * <p>The pages carry no inline script or style, so the Content-Security-Policy can forbid both: injected markup
 * (a message body rendered by mistake as HTML, say) cannot run. {@code connect-src 'self'} covers the same-origin
 * WebSocket in current browsers. {@code img-src blob:} lets the chat show a picture it fetched with the token (an
 * attachment is never addressed by a URL that carries one). Files are revalidated by ETag on every load, so a new jar takes effect at once.
 */
public final class StaticPages {

    static final String CONTENT_SECURITY_POLICY = String.join("; ",
            "default-src 'none'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data: blob:",
            "connect-src 'self'",
            "base-uri 'none'",
            "form-action 'none'",
            "frame-ancestors 'none'");

    private StaticPages() {
    }

    public static void configure(StaticFileConfig files) {
        files.hostedPath = "/";
        files.directory = "/public";
        files.headers = Map.of(
                "Content-Security-Policy", CONTENT_SECURITY_POLICY,
                "Cache-Control", "no-cache",
                "Referrer-Policy", "no-referrer",
                "X-Frame-Options", "DENY");
    }
}
