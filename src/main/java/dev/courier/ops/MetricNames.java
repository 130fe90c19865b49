package dev.courier.ops;

/**
 * Every metric name Courier registers, in Micrometer's dotted form; the Prometheus registry renders them with
 * units and {@code _total} as Prometheus expects (e.g. {@code courier.messages.stored} becomes
 * {@code courier_messages_stored_total}).
 */
public final class MetricNames {

    public static final String HTTP_REQUESTS = "courier.http.server.requests";
    public static final String MESSAGES_STORED = "courier.messages.stored";

    /** Pool figures (active, idle, pending, max, acquire wait) come from HikariCP as {@code hikaricp_connections_*}. */
    public static final String DB_CONNECTION_HOLD = "courier.db.connection.hold";
    public static final String DB_ACQUIRE_TIMEOUTS = "courier.db.acquire.timeouts";
    public static final String DB_LEAKS_SUSPECTED = "courier.db.leaks.suspected";
    public static final String DB_LEAKS_RECLAIMED = "courier.db.leaks.reclaimed";
    public static final String DB_OVERLOAD_REJECTIONS = "courier.db.overload.rejections";
    public static final String DB_REACHABLE = "courier.db.reachable";
    public static final String DB_ADMITTED = "courier.db.admission.in.flight";

    private MetricNames() {
    }
}
