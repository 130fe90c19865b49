package dev.courier.web;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Answers the failures Jetty handles before Javalin sees a request (headers too large, a URI that cannot be
 * parsed, a broken request line) in the contract's shape and with the same security headers, instead of
 * Jetty's HTML page, which names the server and may echo the input.
 */
public final class JettyErrorHandler extends ErrorHandler {

    @Override
    protected void generateResponse(Request request, Response response, int status, String message, Throwable cause,
                                    Callback callback) {
        write(response, status, callback);
    }

    /** Writes the whole answer for {@code status}; {@code callback} completes once it is on its way. */
    static void write(Response response, int status, Callback callback) {
        write(response, status, body(status), callback);
    }

    /** Writes the whole answer for {@code status} with {@code body}, a contract error body. */
    static void write(Response response, int status, byte[] body, Callback callback) {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        // Jetty ends the connection after a request it could not accept; saying so keeps a client from sending
        // its next request down a socket that is about to close (seen as "no bytes received" by the client).
        response.getHeaders().put(HttpHeader.CONNECTION, "close");
        SecurityHeaders.applyTo(response.getHeaders());
        response.write(true, ByteBuffer.wrap(body), callback);
    }

    @Override
    public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
        fields.put(HttpHeader.CONTENT_TYPE, "application/json");
        fields.put(HttpHeader.CONNECTION, "close");
        SecurityHeaders.applyTo(fields);
        return ByteBuffer.wrap(body(status));
    }

    static byte[] body(int status) {
        ErrorBody body = switch (status) {
            case 413, 431 -> ErrorBody.of(ErrorCode.PAYLOAD_TOO_LARGE, status == 431
                    ? "the request headers are too large" : "the body is larger than 65536 bytes", null);
            case 404, 405 -> ErrorBody.of(ErrorCode.NOT_FOUND, "no such resource", null);
            case 503 -> ErrorBody.of(ErrorCode.OVERLOADED, "the server is busy; try again shortly", null);
            default -> status >= 500
                    ? ErrorBody.of(ErrorCode.INTERNAL_ERROR, "internal error", null)
                    : ErrorBody.of(ErrorCode.MALFORMED_JSON, "the request could not be read", null);
        };
        return Json.write(body).getBytes(StandardCharsets.UTF_8);
    }
}
