package dev.courier.web;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpHeaderValue;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Refuses a request whose declared {@code Content-Length} is over the body limit with {@code 413} before any of its
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
 */
public final class BodySizeLimit extends Handler.Wrapper {

    /** Sixteen times the body limit: how much a client may upload in vain and still be sure to read its 413. */
    public static final long MAX_DRAINED_BYTES = 1L << 20;

    private final Runnable onRefused;

    /** {@code onRefused} runs for each request refused here (these answers bypass Javalin and its metrics). */
    public BodySizeLimit(Runnable onRefused) {
        this.onRefused = onRefused;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        long declared = request.getLength();
        if (declared <= JsonBody.MAX_BYTES) {
            return super.handle(request, response, callback);
        }
        boolean drain = declared <= MAX_DRAINED_BYTES
                && !request.getHeaders().contains(HttpHeader.EXPECT, HttpHeaderValue.CONTINUE.asString());
        onRefused.run();
        response.getHeaders().put(RequestIds.HEADER, RequestIds.newId());
        // Written directly rather than through Response.writeError, which first tries to consume the body and,
        // finding it still arriving, marks it failed for good: nothing could be drained after that.
        JettyErrorHandler.write(response, HttpStatus.PAYLOAD_TOO_LARGE_413, drain
                ? Callback.from(() -> Content.Source.consumeAll(request, callback), callback::failed)
                : callback);
        return true;
    }
}
