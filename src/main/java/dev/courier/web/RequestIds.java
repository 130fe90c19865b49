package dev.courier.web;

import io.javalin.http.Context;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.MDC;

/**
 * Gives every request an id that appears in its log lines ({@code http.request.id} in the MDC), in the
 * {@code X-Request-Id} response header and in the message of any 5xx answer.
 */
public final class RequestIds {

    public static final String HEADER = "X-Request-Id";
    /** The MDC key, the Elastic Common Schema's name for it. */
    public static final String MDC_KEY = "http.request.id";
    private static final String ATTRIBUTE = "courier.requestId";

    private RequestIds() {
    }

    public static void assign(Context ctx) {
        String id = newId();
        ctx.attribute(ATTRIBUTE, id);
        ctx.header(HEADER, id);
        MDC.put(MDC_KEY, id);
    }

    /** A fresh id, for answers given before a request reaches Courier's handlers. */
    public static String newId() {
        return Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
    }

    public static String of(Context ctx) {
        String id = ctx.attribute(ATTRIBUTE);
        return id == null ? "-" : id;
    }

    public static void clear() {
        MDC.remove(MDC_KEY);
    }
}
