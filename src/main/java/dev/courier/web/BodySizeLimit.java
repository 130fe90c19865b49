package dev.courier.web;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpHeaderValue;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Refuses a request whose declared {@code Content-Length} is over its body limit with {@code 413} before any of its
 * body is read, and before authentication, rate limits or the database are touched; then reads the body to its
 * end and throws it away, so that a client still uploading gets to read the answer.
 *
 * <p>Why the second part: left to itself, Jetty (12.1) sends an early answer with {@code Connection: close} and
 * closes the socket when more of the unread body arrives. The kernel answers bytes that nobody will read with a
 * reset, so a client still uploading gets "broken pipe" or "connection reset" instead of the 413 already waiting
 * in its receive buffer. Reading the rest with Jetty's {@link Content.Source#consumeAll} (which waits for data
 * without holding a thread) lets the upload finish; only then does Jetty close the connection, as announced.
 *
 * <p>Only bodies declared up to {@link #MAX_DRAINED_BYTES} are read. A larger one, and a request that waits for
 * {@code 100 Continue} (its client sends no body after a final answer), get the 413 at once and the connection
 * is closed. A body of unknown length (chunked) is not refused here: {@link JsonBody} counts it as it arrives.
 *
 * <p>The limit is {@link JsonBody#MAX_BYTES} for every request but one: the upload route named by {@link Upload}
 * takes a raw file up to its own limit, and a larger one is refused {@code 413 attachment_too_large} (its reader
 * counts a chunked one as it arrives).
 */
public final class BodySizeLimit extends Handler.Wrapper {

    /** Sixteen times the body limit: how much a client may upload in vain and still be sure to read its 413. */
    public static final long MAX_DRAINED_BYTES = 1L << 20;

    /** The one route whose body is a file: {@code POST path}, up to {@code maxBytes}. */
    public record Upload(String path, long maxBytes) {
    }

    /** Who hears of a refusal: the code it was answered with. */
    @FunctionalInterface
    public interface Refusals {
        void refused(ErrorCode code);
    }

    private final Refusals onRefused;
    private final Upload upload;
    private final byte[] uploadRefusal;

    /** {@code onRefused} hears of each request refused here (these answers bypass Javalin and its metrics). */
    public BodySizeLimit(Refusals onRefused, Upload upload) {
        this.onRefused = onRefused;
        this.upload = upload;
        this.uploadRefusal = Json.write(ErrorBody.of(ErrorCode.ATTACHMENT_TOO_LARGE,
                "an attachment may be at most " + upload.maxBytes() + " bytes", null))
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        long declared = request.getLength();
        boolean isUpload = HttpMethod.POST.is(request.getMethod())
                && upload.path().equals(request.getHttpURI().getPath());
        if (declared <= (isUpload ? upload.maxBytes() : JsonBody.MAX_BYTES)) {
            return super.handle(request, response, callback);
        }
        boolean drain = declared <= MAX_DRAINED_BYTES
                && !request.getHeaders().contains(HttpHeader.EXPECT, HttpHeaderValue.CONTINUE.asString());
        onRefused.refused(isUpload ? ErrorCode.ATTACHMENT_TOO_LARGE : ErrorCode.PAYLOAD_TOO_LARGE);
        response.getHeaders().put(RequestIds.HEADER, RequestIds.newId());
        // Written directly rather than through Response.writeError, which first tries to consume the body and,
        // finding it still arriving, marks it failed for good: nothing could be drained after that.
        JettyErrorHandler.write(response, HttpStatus.PAYLOAD_TOO_LARGE_413,
                isUpload ? uploadRefusal : JettyErrorHandler.body(HttpStatus.PAYLOAD_TOO_LARGE_413), drain
                ? Callback.from(() -> Content.Source.consumeAll(request, callback), callback::failed)
                : callback);
        return true;
    }
}
