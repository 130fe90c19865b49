package dev.courier.attachments;

import dev.courier.accounts.Authentication;
import dev.courier.ratelimit.Limit;
import dev.courier.web.AdmissionGate;
import dev.courier.web.ApiException;
import dev.courier.web.ErrorBody;
import dev.courier.web.ErrorCode;
import dev.courier.web.RoutePolicy;
import dev.courier.web.Routes;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Optional;

/**
 * {@code POST /v1/attachments} (the raw file as the body) and {@code GET /v1/attachments/{id}}. Both are transfers
 * whose length the client sets, so they take no admission place ({@link RoutePolicy#transfer}); an upload spends
 * the {@code writes} bucket. The upload's body is exempt from the
 * 64 KiB limit of JSON bodies and has its own, enforced before and while it is read ({@code web.BodySizeLimit},
 * {@link UploadSpool}).
 */
public final class AttachmentRoutes {

    /** The upload's path, which {@code web.BodySizeLimit} gives the attachment limit instead of the JSON one. */
    public static final String UPLOAD_PATH = AdmissionGate.TRANSFER_PATHS;

    private final AttachmentService attachments;

    public AttachmentRoutes(AttachmentService attachments) {
        this.attachments = attachments;
    }

    public void register(Routes routes) {
        routes.post(UPLOAD_PATH, RoutePolicy.transfer().spending(Limit.WRITES), this::upload);
        routes.get(UPLOAD_PATH + "/{id}", RoutePolicy.transfer(), this::download);
    }

    private void upload(Context ctx) {
        long caller = Authentication.user(ctx).id();
        Attachment stored;
        try (InputStream body = ctx.req().getInputStream()) {
            stored = attachments.upload(caller, ctx.queryParam("filename"), ctx.header("Content-Type"),
                    ctx.req().getContentLengthLong(), body);
        } catch (ApiException e) {
            if (e.code() == ErrorCode.ATTACHMENT_TOO_LARGE) {
                // the rest of the body is not read: the connection cannot carry another request after it
                ctx.header("Connection", "close");
            }
            throw e;
        } catch (IOException brokenOff) {
            // the client went away (or stalled past the idle timeout) before its body ended; nothing was stored
            ctx.header("Connection", "close");
            throw ApiException.invalid("body", "the upload ended before its body did");
        }
        ctx.status(201).json(stored);
    }

    private void download(Context ctx) throws IOException {
        Attachment attachment = attachments.readable(Authentication.user(ctx).id(), ctx.pathParam("id"));
        String etag = "\"" + attachment.sha256() + "\"";
        ctx.header("ETag", etag);
        ctx.header("Accept-Ranges", "bytes");
        ctx.header("Content-Disposition", ContentDisposition.attachment(attachment.filename()));
        if (matches(ctx.header("If-None-Match"), etag)) {
            ctx.status(304);
            return;
        }
        String range = ctx.header("Range");
        String ifRange = ctx.header("If-Range");
        if (ifRange != null && !ifRange.trim().equals(etag)) {
            // the client holds another version: it gets the whole file
            range = null;
        }
        Optional<ByteRange> requested;
        try {
            requested = ByteRange.parse(range, attachment.size());
        } catch (ByteRange.Unsatisfiable e) {
            ctx.header("Content-Range", "bytes */" + attachment.size());
            ctx.status(416).json(ErrorBody.of(ErrorCode.VALIDATION_FAILED,
                    "the range lies beyond the attachment's " + attachment.size() + " bytes", "Range"));
            return;
        }
        long offset = requested.map(ByteRange::first).orElse(0L);
        long length = requested.map(ByteRange::length).orElse(attachment.size());
        if (requested.isPresent()) {
            ctx.status(206);
            ctx.header("Content-Range", "bytes " + requested.get().first() + "-" + requested.get().last() + "/"
                    + attachment.size());
        }
        ctx.contentType(attachment.contentType());
        ctx.res().setContentLengthLong(length);
        try (InputStream in = attachments.open(attachment, offset, length);
             OutputStream out = ctx.res().getOutputStream()) {
            in.transferTo(out);
        }
    }

    /** Whether an {@code If-None-Match} header names {@code etag} (or is {@code *}). */
    private static boolean matches(String ifNoneMatch, String etag) {
        if (ifNoneMatch == null) {
            return false;
        }
        for (String candidate : ifNoneMatch.split(",")) {
            String tag = candidate.trim();
            if (tag.startsWith("W/")) {
                tag = tag.substring(2);
            }
            if (tag.equals(etag) || tag.equals("*")) {
                return true;
            }
        }
        return false;
    }
}
