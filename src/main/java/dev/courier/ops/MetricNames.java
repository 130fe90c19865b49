package dev.courier.ops;

/**
 * Every metric name Courier registers, in Micrometer's dotted form; the Prometheus registry renders them with
 * units and {@code _total} as Prometheus expects (e.g. {@code courier.messages.stored} becomes
 * {@code courier_messages_stored_total}).
 */
public final class MetricNames {

    public static final String HTTP_REQUESTS = "courier.http.server.requests";
    public static final String MESSAGES_STORED = "courier.messages.stored";

    private MetricNames() {
    }
}
