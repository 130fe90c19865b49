package dev.courier.export;

import dev.courier.accounts.Authentication;
import dev.courier.ratelimit.Limit;
import dev.courier.web.RoutePolicy;
import dev.courier.web.Routes;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * {@code GET /v1/me/export}: a few per user per hour ({@code exports}), and slow by design, like a password check: a
 * long export must not teach the admission limit that the server got slow.
 */
public final class ExportRoutes {

    private final AccountExport export;

    public ExportRoutes(AccountExport export) {
        this.export = export;
    }

    public void register(Routes routes) {
        routes.get("/v1/me/export", RoutePolicy.userSlowByDesign().spending(Limit.EXPORTS), this::export);
    }

    private void export(Context ctx) {
        ctx.contentType("application/json");
        ctx.header("Content-Disposition", "attachment; filename=\"courier-export.json\"");
        try {
            export.write(Authentication.user(ctx).id(), ctx.outputStream());
        } catch (IOException e) {
            // the client went away mid-download: nothing to answer
            throw new UncheckedIOException(e);
        }
    }
}
