package dev.courier.ops;

import dev.courier.accounts.Authentication;
import dev.courier.accounts.Session;
import dev.courier.warmup.WarmupRequests;
import dev.courier.web.ClientAddresses;
import dev.courier.web.RequestIds;
import dev.courier.web.TraceContext;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * {@code serve --access-log}: one line per answered request, through its own logger ({@value #LOGGER}) and in the
 * format of every other line ({@code --log-format}). Its fields go in the MDC under their Elastic Common Schema
 * names, so a JSON line carries them as fields: method, route template, status, duration, bytes, the client address
 * as {@code --trusted-proxies} reads it, the user when the request had one, the request id and the trace id.
 *
 * <p>The line names the route template and never the raw path or query: a path carries ids and the stream's query
 * its {@code access_token}. No header is logged. The logger is off unless the flag turns it on; off, a request costs
 * one level check.
 */
public final class AccessLog {

    public static final String LOGGER = "courier.access";
    private static final Logger log = LoggerFactory.getLogger(LOGGER);

    private final ClientAddresses addresses;
    private final WarmupRequests warmup;

    /** {@code warmup}: the node's own start-up requests, which are not a client's and are left out. */
    public AccessLog(ClientAddresses addresses, WarmupRequests warmup) {
        this.addresses = addresses;
        this.warmup = warmup;
    }

    /** Javalin's request logger: called once the answer is written, on the request's thread. */
    public void record(Context ctx, Float millis) {
        if (!log.isInfoEnabled() || warmup.isWarmup(ctx.header(WarmupRequests.HEADER))) {
            return;
        }
        var matched = ctx.endpoints().matchedHttpEndpoint();
        String route = matched == null ? (ctx.statusCode() == 404 ? "unmatched" : "static") : matched.path;
        String method = ctx.method().name();
        int status = ctx.statusCode();
        long bytes = bytesWritten(ctx);
        String client = addresses.of(ctx);
        Optional<Long> user = Authentication.currentSession(ctx).map(Session::user).map(u -> u.id());
        TraceContext trace = TraceContext.of(ctx);
        long nanos = millis == null ? 0 : (long) (millis * 1_000_000);

        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("http.request.method", method);
        fields.put("http.route", route);
        fields.put("http.response.status_code", String.valueOf(status));
        fields.put("event.duration", String.valueOf(nanos));
        fields.put("http.response.body.bytes", String.valueOf(bytes));
        fields.put("client.address", client);
        user.ifPresent(id -> fields.put("user.id", String.valueOf(id)));
        fields.put(RequestIds.MDC_KEY, RequestIds.of(ctx));
        if (trace != null) {
            fields.put(TraceContext.MDC_TRACE_ID, trace.traceId());
            fields.put(TraceContext.MDC_SPAN_ID, trace.spanId());
        }
        Map<String, String> before = MDC.getCopyOfContextMap();
        try {
            fields.forEach(MDC::put);
            log.info("{} {} {} {}ms {}B {}{}", method, route, status, String.format("%.1f", nanos / 1e6), bytes, client,
                    user.map(id -> " user=" + id).orElse(""));
        } finally {
            if (before == null) {
                MDC.clear();
            } else {
                MDC.setContextMap(before);
            }
        }
    }

    private static long bytesWritten(Context ctx) {
        ServletContextRequest request = ServletContextRequest.getServletContextRequest(ctx.req());
        // what the handler wrote, buffered or sent (the last bytes may still be in the output's buffer here)
        return request == null ? -1 : request.getServletContextResponse().getHttpOutput().getWritten();
    }
}
