package dev.courier.ops;

/**
 * Every metric name Courier registers, in Micrometer's dotted form; the Prometheus registry renders them with
 * units and {@code _total} as Prometheus expects (e.g. {@code courier.messages.stored} becomes
 * {@code courier_messages_stored_total}). Label values are bounded: route templates, call sites, error codes.
 */
public final class MetricNames {

    public static final String HTTP_REQUESTS = "courier.http.server.requests";
    /** HTTP answers with a contract error, by {@code code}. */
    public static final String HTTP_ERRORS = "courier.http.server.errors";
    /** Requests answered {@code 503 overloaded} instead of being queued. */
    public static final String OVERLOAD_REJECTIONS = "courier.overload.rejections";
    /** Database failures that reached a caller, by {@code kind} ({@code busy}, {@code unavailable}). */
    public static final String DB_ERRORS = "courier.db.errors";
    public static final String MESSAGES_STORED = "courier.messages.stored";
    public static final String MESSAGES_QUEUE_WAIT = "courier.messages.queue.wait";
    public static final String MESSAGES_BATCH_SIZE = "courier.messages.batch.size";
    public static final String MESSAGES_BATCH_PUBLISH = "courier.messages.batch.publish";
    /** Pages of the search index's pending list merged off the send path ({@code search.PendingWordsMerger}). */
    public static final String SEARCH_PENDING_PAGES_MERGED = "courier.search.pending.pages.merged";
    /** Merges of the search index's pending list, by how long each took. */
    public static final String SEARCH_PENDING_MERGES = "courier.search.pending.merges";
    /** Counted where leases are tracked ({@code db.LeaseRegistry}), once per leak. */
    public static final String POOL_LEAKS_SUSPECTED = "courier.db.pool.leaks.suspected";
    public static final String POOL_LEAKS_RECLAIMED = "courier.db.pool.leaks.reclaimed";
    /** Leases held past the leak warning threshold right now, whatever holds them (leak or saturation). */
    public static final String POOL_LEASES_OVERDUE = "courier.db.pool.leases.overdue";
    /** Leases reported as leaks and not yet taken back, right now. */
    public static final String POOL_LEASES_LEAKING = "courier.db.pool.leases.leaking";
    /**
     * Leases held past the leak warning threshold by work still running, once per lease, by {@code cause}
     * ({@code cpu}, {@code database}): saturation, counted apart from leaks.
     */
    public static final String POOL_SLOW_HOLDS = "courier.db.pool.slow.holds";
    public static final String POOL_ACQUISITION_TIMEOUTS = "courier.db.pool.acquisition.timeouts";
    /** 1 while the database answers, 0 while it does not (as the pool's reachability probe sees it). */
    public static final String DB_REACHABLE = "courier.db.reachable";
    /** Alerts firing now, by {@code alertname}. */
    public static final String ALERTS_FIRING = "courier.alerts.firing";
    /** 1 for each check's status in the node's latest infrastructure audit, by {@code check} and {@code status}. */
    public static final String AUDIT_CHECK = "courier.audit.check";
    public static final String ALERT_NOTIFICATIONS = "courier.alert.notifications";
    public static final String INCIDENTS_OPEN = "courier.incidents.open";

    /** Pool figures (active, idle, pending, max, acquire wait) come from HikariCP as {@code hikaricp_connections_*}. */
    public static final String DB_CONNECTION_HOLD = "courier.db.connection.hold";
    public static final String DB_OVERLOAD_REJECTIONS = "courier.db.overload.rejections";
    public static final String DB_ADMITTED = "courier.db.admission.in.flight";
    /** The adaptive admission limit in force: how many operations may run at once right now. */
    public static final String DB_ADMISSION_LIMIT = "courier.db.admission.limit";

    /** Keys looked up together in one statement by a {@code db.BatchedLookup}, by {@code lookup}. */
    public static final String DB_LOOKUP_BATCH_SIZE = "courier.db.lookup.batch.size";
    /** Lookups answered by one of the same key already under way, by {@code lookup}. */
    public static final String DB_LOOKUP_SHARED = "courier.db.lookup.shared";

    /** Token checks by {@code result}: {@code hit} (answered by this node's session cache) or {@code miss}. */
    public static final String SESSION_CACHE_REQUESTS = "courier.session.cache.requests";
    public static final String SESSION_CACHE_ENTRIES = "courier.session.cache.entries";

    /**
     * The process's resident set size in bytes ({@code ops.ResidentMemory}); rendered as Prometheus's standard
     * {@code process_resident_memory_bytes}.
     */
    public static final String PROCESS_RESIDENT_MEMORY = "process.resident.memory";

    public static final String STREAM_CONNECTIONS = "courier.stream.connections";
    /** The share of its cores this node's process used lately, 0 to 1 ({@code ops.ProcessCpuShare}). */
    public static final String NODE_CPU_SHARE = "courier.node.cpu.share";
    public static final String NODE_SATURATION = "courier.node.saturation";
    public static final String NODE_SATURATION_TARGET = "courier.node.saturation.target";
    public static final String NODE_REPLICA_DEMAND = "courier.node.replica.demand";
    public static final String STREAM_FRAMES_SENT = "courier.stream.frames.sent";
    public static final String STREAM_SLOW_CONSUMERS = "courier.stream.slow.consumers";
    public static final String STREAM_GAP_FILLS = "courier.stream.gap.fills";
    public static final String STREAM_REVOKED = "courier.stream.revoked";
    public static final String STREAM_FLOODERS = "courier.stream.flooders";
    /** Typing frames dropped because the connection had sent one for the conversation less than 3 s before. */
    public static final String STREAM_TYPING_THROTTLED = "courier.stream.typing.throttled";
    /** Users whose presence this node changed, by {@code online} ({@code true}: came online). */
    public static final String PRESENCE_CHANGES = "courier.presence.changes";
    /** Times this node found its presence lease swept by the others (it was taken for dead) and registered again. */
    public static final String PRESENCE_LEASES_LOST = "courier.presence.leases.lost";
    public static final String PRESENCE_LOCAL_USERS = "courier.presence.local.users";
    public static final String BUS_EVENTS_PUBLISHED = "courier.bus.events.published";
    public static final String BUS_EVENTS_RECEIVED = "courier.bus.events.received";
    public static final String BUS_EVENTS_DROPPED = "courier.bus.events.dropped";
    public static final String BUS_LISTENER_CONNECTED = "courier.bus.listener.connected";
    public static final String BUS_LISTENER_RECONNECTS = "courier.bus.listener.reconnects";
    public static final String BUS_OTHER_LISTENERS = "courier.bus.other.listeners";
    /**
     * Pauses of this whole process (not scheduled: SIGSTOP, a frozen VM or container, swapping, a stop-the-world
     * collection) of a second or more, as a timer: {@code courier_process_pause_seconds_count}, {@code _sum},
     * {@code _max} ({@code ops.PauseDetector}).
     */
    public static final String PROCESS_PAUSE = "courier.process.pause";

    private MetricNames() {
    }
}
