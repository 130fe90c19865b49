package dev.courier.db;

import dev.courier.ops.MetricNames;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A long-lived connection of its own, outside the request pool, that LISTENs on one channel and hands every
 * notification to a consumer. It is watched: a broken connection (a terminated backend, a restarted server, a dead
 * network) is detected within a second plus the socket timeout and re-established with backoff.
 * PostgreSQL drops notifications sent while nobody listens, so after every re-established LISTEN the
 * {@code onResubscribed} callback runs, and its owner catches up from the tables.
 *
 * <p>Every second it also counts the other listeners on the database, the sessions whose {@code application_name}
 * has the same prefix ({@link #otherListeners()}): a node alone on the database has nobody to notify. The count
 * doubles as the connection's liveness probe.
 */
public final class NotificationListener implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(NotificationListener.class);

    /** How often the other listeners are counted, which also proves the connection alive. */
    private static final long COUNT_EVERY_NANOS = 1_000_000_000L;
    private static final String APPLICATION_NAME_PREFIX = "courier-listener-";
    private static final int UNKNOWN = -1;
    private static final long MAX_BACKOFF_MILLIS = 2_000;

    private final DatabaseTarget target;
    private final String channel;
    private final Consumer<String> onNotification;
    private final Runnable onResubscribed;
    private final AtomicInteger connected = new AtomicInteger();
    private final AtomicInteger otherListeners = new AtomicInteger(UNKNOWN);
    private final Counter reconnects;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile Connection connection;
    /** When the LISTEN connection was lost or failed to open, while it is down; null otherwise. */
    private volatile Instant downSince;
    /** Why it was lost, or why the last attempt to open it failed. */
    private volatile String downReason;

    private NotificationListener(DatabaseTarget target, String channel, Consumer<String> onNotification,
                                 Runnable onResubscribed, MeterRegistry meters) {
        this.target = target;
        this.channel = channel;
        this.onNotification = onNotification;
        this.onResubscribed = onResubscribed;
        Gauge.builder(MetricNames.BUS_LISTENER_CONNECTED, connected, AtomicInteger::get)
                .description("1 while the dedicated LISTEN connection (outside the pool) is up")
                .tag("bus", "postgres")
                .register(meters);
        Gauge.builder(MetricNames.BUS_OTHER_LISTENERS, otherListeners, AtomicInteger::get)
                .description("other nodes listening on the database, counted every second; -1 while unknown")
                .register(meters);
        this.reconnects = Counter.builder(MetricNames.BUS_LISTENER_RECONNECTS)
                .description("times the LISTEN connection was re-established after a failure")
                .register(meters);
        this.thread = Thread.ofPlatform().daemon().name("courier-listen-" + channel).unstarted(this::run);
    }

    /** Starts listening in the background; the first LISTEN counts as a resubscription too. */
    public static NotificationListener start(DatabaseTarget target, String channel, Consumer<String> onNotification,
                                             Runnable onResubscribed, MeterRegistry meters) {
        if (!channel.matches("[a-z_][a-z0-9_]*")) {
            throw new IllegalArgumentException("channel must be a plain identifier: " + channel);
        }
        NotificationListener listener = new NotificationListener(target, channel, onNotification, onResubscribed,
                meters);
        listener.thread.start();
        return listener;
    }

    /** True while the LISTEN connection is up. */
    public boolean connected() {
        return connected.get() == 1;
    }

    /**
     * Since when the LISTEN connection has been down (lost, or its first opening failed), empty while it is up and
     * before the first attempt ends.
     */
    public Optional<Instant> downSince() {
        return connected() ? Optional.empty() : Optional.ofNullable(downSince);
    }

    /** Why the connection is down, as the driver said it; null while it is up. */
    public String downReason() {
        return connected() ? null : downReason;
    }

    /**
     * How many other sessions listen under this class's {@code application_name} prefix on the same database (other
     * nodes), as counted at most a second ago; -1 while the connection is down or before the first count.
     */
    public int otherListeners() {
        return otherListeners.get();
    }

    /** The name the connection shows in {@code pg_stat_activity.application_name}. */
    public static String applicationName() {
        return APPLICATION_NAME_PREFIX + ProcessHandle.current().pid();
    }

    private void run() {
        long backoff = 50;
        boolean first = true;
        while (running) {
            try (Connection c = open()) {
                connection = c;
                try (Statement s = c.createStatement()) {
                    s.execute("LISTEN " + channel);
                }
                connected.set(1);
                downSince = null;
                downReason = null;
                if (!first) {
                    reconnects.increment();
                    log.info("LISTEN connection re-established");
                }
                first = false;
                backoff = 50;
                onResubscribed.run();
                receive(c.unwrap(PGConnection.class), c);
            } catch (SQLException | RuntimeException e) {
                if (running) {
                    log.warn("LISTEN connection lost: {}; reconnecting", e.toString());
                    downReason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
                }
            } finally {
                if (downSince == null) {
                    downSince = Instant.now();
                }
                connected.set(0);
                otherListeners.set(UNKNOWN);
                connection = null;
            }
            if (!running) {
                return;
            }
            try {
                Thread.sleep(backoff);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            backoff = Math.min(MAX_BACKOFF_MILLIS, backoff * 2);
        }
    }

    private void receive(PGConnection pg, Connection c) throws SQLException {
        try (PreparedStatement count = c.prepareStatement("""
                SELECT count(*) FROM pg_stat_activity
                 WHERE datname = current_database() AND application_name LIKE ? AND pid <> pg_backend_pid()""")) {
            count.setString(1, APPLICATION_NAME_PREFIX + "%");
            long nextCount = System.nanoTime();
            while (running) {
                long untilCount = nextCount - System.nanoTime();
                if (untilCount <= 0) {
                    // Throws on a broken connection, and the caller reconnects.
                    otherListeners.set(countOthers(count));
                    nextCount = System.nanoTime() + COUNT_EVERY_NANOS;
                    continue;
                }
                PGNotification[] notifications = pg.getNotifications((int) Math.max(1, untilCount / 1_000_000));
                if (notifications == null) {
                    continue;
                }
                for (PGNotification n : notifications) {
                    try {
                        onNotification.accept(n.getParameter());
                    } catch (RuntimeException e) {
                        log.error("handling a notification failed", e);
                    }
                }
            }
        }
    }

    private static int countOthers(PreparedStatement count) throws SQLException {
        try (ResultSet rs = count.executeQuery()) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private Connection open() throws SQLException {
        Properties props = new Properties();
        if (target.user() != null) {
            props.setProperty("user", target.user());
        }
        if (target.password() != null) {
            props.setProperty("password", target.password());
        }
        props.setProperty("ApplicationName", applicationName());
        props.setProperty("tcpKeepAlive", "true");
        props.setProperty("connectTimeout", "5");
        props.setProperty("socketTimeout", "10");
        return DriverManager.getConnection(target.jdbcUrl(), props);
    }

    @Override
    public void close() {
        running = false;
        Connection c = connection;
        if (c != null) {
            try {
                c.close();
            } catch (SQLException e) {
                log.debug("closing the LISTEN connection: {}", e.toString());
            }
        }
        thread.interrupt();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
