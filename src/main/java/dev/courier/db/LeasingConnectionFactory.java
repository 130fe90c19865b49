package dev.courier.db;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.ArrayList;
import java.util.List;
import org.jdbi.v3.core.ConnectionFactory;

/**
 * Hands Jdbi connections from the pool and records each one as a lease of the operation that {@link Database} is
 * running on this thread, inside the scope open on this thread.
 */
final class LeasingConnectionFactory implements ConnectionFactory {

    /** One call of {@link Database}'s door on this thread: its call site, its callback's class and its leases. */
    static final class Frame {
        final String callSite;
        final Class<?> callback;
        final OperationScope scope;
        final List<LeaseRegistry.Held> opened = new ArrayList<>(1);

        Frame(String callSite, Class<?> callback, OperationScope scope) {
            this.callSite = callSite;
            this.callback = callback;
            this.scope = scope;
        }

        boolean lostALeaseToReclaim() {
            return opened.stream().anyMatch(h -> h.reclaimed);
        }

        String reclaimReason() {
            return opened.stream().filter(h -> h.reclaimed).map(h -> h.reclaimReason).findFirst().orElse("reclaimed");
        }

        /**
         * The callback has returned, and Jdbi has closed its handle: a lease of this frame still registered now is
         * held by nobody's running code, a leak the next sweep reports.
         */
        void callbackEnded() {
            for (LeaseRegistry.Held held : opened) {
                held.callbackEnded();
            }
        }
    }

    private static final ThreadLocal<Frame> FRAME = new ThreadLocal<>();

    private final HikariDataSource dataSource;
    private final LeaseRegistry leases;
    private final Database.AcquisitionWatcher watcher;

    LeasingConnectionFactory(HikariDataSource dataSource, LeaseRegistry leases, Database.AcquisitionWatcher watcher) {
        this.dataSource = dataSource;
        this.leases = leases;
        this.watcher = watcher;
    }

    static Frame enter(Frame frame) {
        Frame outer = FRAME.get();
        FRAME.set(frame);
        return outer;
    }

    /** Ends the frame open on this thread, and restores {@code outer}, the one {@link #enter} returned. */
    static void exit(Frame outer) {
        Frame ending = FRAME.get();
        if (ending != null) {
            ending.callbackEnded();
        }
        if (outer == null) {
            FRAME.remove();
        } else {
            FRAME.set(outer);
        }
    }

    @Override
    public Connection openConnection() throws SQLException {
        Frame frame = FRAME.get();
        if (frame == null) {
            return borrow("unnamed", null, null);
        }
        return borrow(frame.callSite, frame.scope, frame);
    }

    /** Borrows a connection and registers it; {@code frame} (may be null) remembers it for its caller. */
    Connection borrow(String callSite, OperationScope scope, Frame frame) throws SQLException {
        long start = System.nanoTime();
        Connection connection;
        try {
            connection = dataSource.getConnection();
        } catch (SQLTransientConnectionException timeout) {
            watcher.acquisitionFailed(callSite, (System.nanoTime() - start) / 1_000_000, timeout);
            throw timeout;
        }
        LeaseRegistry.Held held = leases.open(callSite, frame == null ? null : frame.callback, connection, scope);
        if (frame != null) {
            frame.opened.add(held);
        }
        return connection;
    }

    @Override
    public void closeConnection(Connection connection) throws SQLException {
        leases.close(connection);
        connection.close();
    }
}
