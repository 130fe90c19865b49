package dev.courier.warmup;

import java.util.UUID;

/**
 * How the node tells its own warm-up requests from clients' requests: they carry {@link #HEADER} with a value drawn
 * at start and known only to this process, so no client can make its requests look like the warm-up's. The access
 * log leaves them out (it records what clients asked for); the HTTP metrics count them like any other.
 */
public final class WarmupRequests {

    public static final String HEADER = "X-Courier-Warmup";

    private final String mark = UUID.randomUUID().toString();

    /** The header's value on this node's warm-up requests. */
    String mark() {
        return mark;
    }

    /** Whether a request carrying {@code headerValue} (null when absent) is this node's own warm-up. */
    public boolean isWarmup(String headerValue) {
        return mark.equals(headerValue);
    }
}
