package dev.courier.web;

import io.javalin.http.Context;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;
import org.slf4j.MDC;

/**
 * W3C Trace Context for a request (https://www.w3.org/TR/trace-context/): the caller's {@code traceparent} is
 * continued, or a trace starts here when it sent none or one that cannot be read. The request gets a span id of its
 * own; its {@code traceparent} goes back in the answer, the trace id into the log lines ({@code trace.id} in the
 * MDC, as the Elastic Common Schema names it), into error bodies beside the request id, and into the incident
 * timeline entries the request causes.
 *
 * @param flags the caller's trace flags, kept as they came; {@code 00} (not sampled) for a trace begun here, since
 *              Courier exports no spans
 */
public record TraceContext(String traceId, String spanId, String flags) {

    public static final String HEADER = "traceparent";
    public static final String MDC_TRACE_ID = "trace.id";
    public static final String MDC_SPAN_ID = "span.id";
    private static final String ATTRIBUTE = "courier.traceContext";
    private static final Pattern TRACEPARENT =
            Pattern.compile("([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?");
    private static final String NO_TRACE = "0".repeat(32);
    private static final String NO_SPAN = "0".repeat(16);

    /** The context for a request that carried {@code traceparent} (may be null): continued, or begun here. */
    public static TraceContext continueOrBegin(String traceparent) {
        if (traceparent != null) {
            var m = TRACEPARENT.matcher(traceparent.trim());
            // version ff is invalid; a later version may add fields after a dash, which version 00 must not have
            if (m.matches() && !m.group(1).equals("ff") && (m.group(5) == null || !m.group(1).equals("00"))
                    && !m.group(2).equals(NO_TRACE) && !m.group(3).equals(NO_SPAN)) {
                return new TraceContext(m.group(2), newSpanId(), m.group(4));
            }
        }
        return new TraceContext(randomHex(16), newSpanId(), "00");
    }

    /** Starts or continues the request's trace: attribute, answer header and MDC. */
    public static TraceContext begin(Context ctx) {
        TraceContext trace = continueOrBegin(ctx.header(HEADER));
        ctx.attribute(ATTRIBUTE, trace);
        ctx.header(HEADER, trace.traceparent());
        MDC.put(MDC_TRACE_ID, trace.traceId);
        MDC.put(MDC_SPAN_ID, trace.spanId);
        return trace;
    }

    /** The request's context, or null before {@link #begin}. */
    public static TraceContext of(Context ctx) {
        return ctx.attribute(ATTRIBUTE);
    }

    /** The trace id of the work on this thread, or null outside a request. */
    public static String current() {
        return MDC.get(MDC_TRACE_ID);
    }

    public static void clear() {
        MDC.remove(MDC_TRACE_ID);
        MDC.remove(MDC_SPAN_ID);
    }

    /** This context as the {@code traceparent} header of the answer (and of any call made on its behalf). */
    public String traceparent() {
        return "00-" + traceId + "-" + spanId + "-" + flags;
    }

    private static String newSpanId() {
        String id = randomHex(8);
        return id.equals(NO_SPAN) ? newSpanId() : id;
    }

    private static String randomHex(int bytes) {
        byte[] random = new byte[bytes];
        ThreadLocalRandom.current().nextBytes(random);
        return HexFormat.of().formatHex(random);
    }
}
