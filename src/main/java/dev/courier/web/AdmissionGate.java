package dev.courier.web;

import dev.courier.db.DatabaseBusyException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.function.BooleanSupplier;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Refuses database-bound requests with {@code 503 overloaded} before Javalin sees them while the admission limit is
 * reached, so that past capacity a refusal costs a few microseconds of a thread instead of a whole trip through the
 * router, the filters, exception mapping and JSON. Those microseconds are taken from the requests already admitted,
 * which share the same few cores: when each refusal costs as much as a small request, a flood of them starves the
 * admitted work until it misses its deadlines too, and nothing succeeds any more.
 *
 * <p>The check only looks whether the limit is reached; the authoritative place is still taken (or refused) in
 * Javalin's filter when the request gets there. The two may disagree for a request that arrives as another ends,
 * which costs that one request the slower path or a refusal by a hair. Admin requests pass, as they do the limit, so an
 * operator can look while it is reached. The connection stays open: a client that is told to come back should not
 * also have to connect again.
 */
public final class AdmissionGate extends Handler.Wrapper {

    /** Told of each refusal: the request's path, its {@code Authorization} header and the nanoseconds it took. */
    public interface RefusalListener {
        void refused(String path, String authorization, long nanos);
    }

    /** The same answer as a refusal further in gets, from the one place that words it. */
    private static final ErrorResponses.Answer ANSWER =
            ErrorResponses.answer(new DatabaseBusyException("admission limit reached"), "-");
    private static final byte[] BODY = Json.write(ANSWER.body()).getBytes(StandardCharsets.UTF_8);
    private static final String RETRY_AFTER = String.valueOf(ANSWER.retryAfterSeconds());

    private static final String API_PATHS = "/v1/";
    /**
     * File transfers (uploads and downloads of attachments), which take no admission place: see
     * {@link RoutePolicy#transfer()}.
     */
    public static final String TRANSFER_PATHS = "/v1/attachments";

    private final BooleanSupplier limitReached;
    private final RefusalListener onRefused;

    public AdmissionGate(BooleanSupplier limitReached, RefusalListener onRefused) {
        this.limitReached = limitReached;
        this.onRefused = onRefused;
    }

    /**
     * Whether a request for {@code path} is refused while the limit is reached: the API's, the admin's and the file
     * transfers' excepted. The
     * gate runs before routing, so it goes by the path; every declared route's admission must agree with it
     * ({@code RoutePolicyTest}).
     */
    public static boolean guards(String path) {
        return path.startsWith(API_PATHS) && !path.startsWith(AdminAuthentication.PATHS)
                && !path.startsWith(TRANSFER_PATHS);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        String path = request.getHttpURI().getPath();
        if (path == null || !guards(path) || !limitReached.getAsBoolean()) {
            return super.handle(request, response, callback);
        }
        response.setStatus(ANSWER.status());
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.getHeaders().put(HttpHeader.RETRY_AFTER, RETRY_AFTER);
        response.getHeaders().put(RequestIds.HEADER, RequestIds.newId());
        SecurityHeaders.applyTo(response.getHeaders());
        // Timed from the request's start, as the requests that reach Javalin are, and counted before the answer
        // leaves: a client that has its refusal must find it counted.
        onRefused.refused(path, request.getHeaders().get(HttpHeader.AUTHORIZATION),
                System.nanoTime() - request.getBeginNanoTime());
        response.write(true, ByteBuffer.wrap(BODY), callback);
        return true;
    }
}
