package dev.courier.db;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
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
    /** Places for borrowers inside an operation scope; the rest of the pool is the writers'. */
    private final Semaphore scopedConnections;
    private final long acquireTimeoutNanos;
    private final LeaseRegistry leases;
    private final Database.AcquisitionWatcher watcher;

    LeasingConnectionFactory(HikariDataSource dataSource, LeaseRegistry leases, Database.AcquisitionWatcher watcher,
                             int scopedConnections, Duration acquireTimeout) {
        this.scopedConnections = new Semaphore(scopedConnections);
        this.acquireTimeoutNanos = acquireTimeout.toNanos();
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

    /**
     * Borrows a connection and registers it; {@code frame} (may be null) remembers it for its caller. A borrower
     * inside an operation scope (a request, a socket frame) first takes one of the scoped connections' places, and
     * waits for one at most the acquisition deadline: the rest of the pool is the message writers' (see
     * {@code PoolConfig.writerConnections}).
     */
    Connection borrow(String callSite, OperationScope scope, Frame frame) throws SQLException {
        long start = System.nanoTime();
        Semaphore quota = scope == null ? null : scopedConnections;
        if (quota != null) {
            takeScopedPlace(callSite, start);
        }
        Connection connection;
        try {
            connection = dataSource.getConnection();
        } catch (SQLException | RuntimeException failure) {
            if (quota != null) {
                quota.release();
            }
            if (failure instanceof SQLTransientConnectionException timeout) {
                watcher.acquisitionFailed(callSite, (System.nanoTime() - start) / 1_000_000, timeout);
            }
            throw failure;
        }
        LeaseRegistry.Held held = leases.open(callSite, frame == null ? null : frame.callback, connection, scope,
                quota);
        if (frame != null) {
            frame.opened.add(held);
        }
        return connection;
    }

    /** Places among the scoped connections free right now. */
    int scopedPlacesFree() {
        return scopedConnections.availablePermits();
    }

    /** Borrowers inside a scope waiting for a scoped connection's place right now (an estimate, as the JDK's). */
    int waitingForScopedConnection() {
        return scopedConnections.getQueueLength();
    }

    private void takeScopedPlace(String callSite, long start) throws SQLTransientConnectionException {
        boolean taken;
        try {
            taken = scopedConnections.tryAcquire(acquireTimeoutNanos, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            taken = false;
        }
        if (!taken) {
            SQLTransientConnectionException timeout = new SQLTransientConnectionException(
                    "every connection requests may use is taken; none came free within the acquisition deadline");
            watcher.acquisitionFailed(callSite, (System.nanoTime() - start) / 1_000_000, timeout);
            throw timeout;
        }
    }

    @Override
    public void closeConnection(Connection connection) throws SQLException {
        leases.close(connection);
        connection.close();
    }
}
