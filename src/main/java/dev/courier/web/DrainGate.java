package dev.courier.web;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Refuses every new API request and stream upgrade with the contract's {@code 503 overloaded} and {@code Retry-After: 1}
 * once the node drains: the node sheds all load, fast, and a client (or a load balancer that retries a 503) tries
 * again on another node a second later at most. Requests already past the gate finish and are answered. Health probes
 * and metrics stay served, so that the balancer sees readiness fail and a scraper sees the node until it exits; admin
 * requests pass too, as they do the admission gate, so that an operator can look at a node while it drains.
 */
public final class DrainGate extends Handler.Wrapper {

    static final String MESSAGE = "this node is stopping; try again (another node answers)";
    private static final ErrorResponses.Answer ANSWER =
            ErrorResponses.answer(ApiException.of(ErrorCode.OVERLOADED, MESSAGE), "-");
    private static final byte[] BODY = Json.write(ANSWER.body()).getBytes(StandardCharsets.UTF_8);
    private static final String RETRY_AFTER = String.valueOf(ANSWER.retryAfterSeconds());

    private final Draining draining;
    private final Runnable onRefused;

    public DrainGate(Draining draining, Runnable onRefused) {
        this.draining = draining;
        this.onRefused = onRefused;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        String path = request.getHttpURI().getPath();
        if (!draining.draining() || path == null || !AdmissionGate.guards(path)) {
            return super.handle(request, response, callback);
        }
        onRefused.run();
        response.setStatus(ANSWER.status());
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.getHeaders().put(HttpHeader.RETRY_AFTER, RETRY_AFTER);
        // the client's next request should open a connection that the balancer can send to another node
        response.getHeaders().put(HttpHeader.CONNECTION, "close");
        response.getHeaders().put(RequestIds.HEADER, RequestIds.newId());
        SecurityHeaders.applyTo(response.getHeaders());
        response.write(true, ByteBuffer.wrap(BODY), callback);
        return true;
    }
}
