package dev.courier.ops;

/**
 * Every metric name Courier registers, in Micrometer's dotted form; the Prometheus registry renders them with
 * units and {@code _total} as Prometheus expects (e.g. {@code courier.messages.stored} becomes
 * {@code courier_messages_stored_total}).
 */
public final class MetricNames {

    public static final String HTTP_REQUESTS = "courier.http.server.requests";
    public static final String MESSAGES_STORED = "courier.messages.stored";

    public static final String STREAM_CONNECTIONS = "courier.stream.connections";
    public static final String STREAM_FRAMES_SENT = "courier.stream.frames.sent";
    public static final String STREAM_SLOW_CONSUMERS = "courier.stream.slow.consumers";
    public static final String STREAM_GAP_FILLS = "courier.stream.gap.fills";
    public static final String STREAM_REVOKED = "courier.stream.revoked";
    public static final String BUS_EVENTS_PUBLISHED = "courier.bus.events.published";
    public static final String BUS_EVENTS_DROPPED = "courier.bus.events.dropped";
    public static final String BUS_LISTENER_CONNECTED = "courier.bus.listener.connected";
    public static final String BUS_LISTENER_RECONNECTS = "courier.bus.listener.reconnects";

    private MetricNames() {
    }
}
