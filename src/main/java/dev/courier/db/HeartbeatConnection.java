package dev.courier.db;

import java.net.SocketTimeoutException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

/**
 * The reachability probe's own connection, outside the pool and kept open between probes, on which each probe runs
 * {@code SELECT 1} and waits at most the answer bound for it. On a session that is already open the statement waits
 * for no pool, lock or disk, only for the server process to run: a busy database answers it in milliseconds while its
 * pool is saturated and its statements queue behind locks, and a database that does not answer it within the bound
 * (a second; longer behind a transaction pooler, see {@link PoolWatch}) is stopped (SIGSTOP), frozen with its host, or
 * cut off. Without the bound, a stopped server that keeps its sockets open would be found out only by the pool's
 * socket timeout, long after requests had been told "overloaded".
 *
 * <p>Used by the probe's one thread at a time ({@link Reachability} runs one probe at once).
 */
final class HeartbeatConnection implements Reachability.Probe, AutoCloseable {

    private final DirectConnector direct;
    private final Duration answerBound;
    private volatile Connection connection;

    HeartbeatConnection(DirectConnector direct, Duration answerBound) {
        this.direct = direct;
        this.answerBound = answerBound;
    }

    /**
     * Throws when PostgreSQL does not answer. The kept connection can also die alone (its backend terminated by an
     * operator, a pooler restarted) while the server answers: a failure other than silence is checked at once on a
     * new connection, and only that one's failure counts.
     */
    @Override
    public void check() throws SQLException {
        Connection kept = connection;
        if (kept != null) {
            try {
                selectOne(kept);
                return;
            } catch (SQLException e) {
                close();
                if (timedOut(e)) {
                    throw unanswered(e);
                }
            }
        }
        Connection fresh;
        try {
            fresh = direct.connect();
        } catch (SQLException e) {
            if (timedOut(e)) {
                throw new SQLException("no answer to a new connection in time: PostgreSQL is stopped, frozen with "
                        + "its host, or cut off", "08006", e);
            }
            throw e;
        }
        connection = fresh;
        try {
            selectOne(fresh);
        } catch (SQLException e) {
            close();
            throw timedOut(e) ? unanswered(e) : e;
        }
    }

    private void selectOne(Connection c) throws SQLException {
        c.setNetworkTimeout(Runnable::run, (int) answerBound.toMillis());
        try (Statement s = c.createStatement()) {
            s.execute("SELECT 1");
        }
    }

    private SQLException unanswered(SQLException e) {
        return new SQLException("no answer to SELECT 1 within " + answerBound.toMillis() + " ms on an open connection:"
                + " PostgreSQL is stopped, frozen with its host, or cut off", "08006", e);
    }

    private static boolean timedOut(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof SocketTimeoutException) {
                return true;
            }
        }
        return false;
    }

    /** Drops the connection; the next probe opens a new one. */
    @Override
    public void close() {
        Connection c = connection;
        connection = null;
        if (c != null) {
            try {
                // abort, not close: close would send a Terminate message and wait on a server that does not answer
                c.abort(Runnable::run);
            } catch (SQLException | RuntimeException e) {
                // it is being dropped either way
            }
        }
    }
}
