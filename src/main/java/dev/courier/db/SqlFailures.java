package dev.courier.db;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.Optional;

/**
 * Sorts a failure from the driver or the pool into what a caller can act on: the database is busy (retry
 * soon), unreachable (retry later), or neither (a bug or a constraint the caller should have prevented).
 */
final class SqlFailures {

    private SqlFailures() {
    }

    static Optional<RuntimeException> classify(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof DatabaseBusyException busy) {
                return Optional.of(busy);
            }
            if (t instanceof DatabaseUnavailableException down) {
                return Optional.of(down);
            }
            if (t instanceof SQLTransientConnectionException timeout) {
                // HikariCP's acquisition timeout; it carries the last connection error when the pool could not
                // open one at all, which means the database is unreachable rather than the pool busy.
                SQLException cause = timeout.getNextException();
                if (cause != null && isConnectionFailure(cause.getSQLState())
                        || timeout.getCause() instanceof SQLException c && isConnectionFailure(c.getSQLState())) {
                    return Optional.of(new DatabaseUnavailableException("database unreachable"));
                }
                return Optional.of(new DatabaseBusyException("no database connection free within the deadline"));
            }
            if (t instanceof SQLException sql && sql.getSQLState() == null && isClosedByPool(sql)) {
                return Optional.of(new DatabaseUnavailableException("database connection lost"));
            }
            if (t instanceof SQLException sql && sql.getSQLState() != null) {
                String state = sql.getSQLState();
                if (isConnectionFailure(state)) {
                    return Optional.of(new DatabaseUnavailableException("database connection lost"));
                }
                if (isBusy(state)) {
                    return Optional.of(new DatabaseBusyException("database busy (" + state + ")"));
                }
                if (refusesForLackOfResources(state)) {
                    return Optional.of(new DatabaseUnavailableException("PostgreSQL refuses the write: "
                            + sql.getMessage() + " (" + state + ")"));
                }
            }
        }
        return Optional.empty();
    }

    /**
     * HikariCP closes a connection the moment the driver reports it broken (class 08) and answers every later call
     * on it with a state-less "Connection is closed"; Jdbi may then report that later failure and only attach the
     * first as suppressed.
     */
    private static boolean isClosedByPool(SQLException sql) {
        return "Connection is closed".equals(sql.getMessage());
    }

    /** Class 08 (connection exception) and the shutdown codes of class 57 (57P01-57P03). */
    static boolean isConnectionFailure(String state) {
        return state != null && (state.startsWith("08") || state.equals("57P01") || state.equals("57P02")
                || state.equals("57P03"));
    }

    /**
     * Class 53, insufficient resources, but for too many connections (a pool's connect, answered as busy above): the
     * disk is full (53100), PostgreSQL is out of memory (53200) or past a configured limit (53400). Nothing the caller
     * did; it lasts until an operator acts, while PostgreSQL still answers reads and the statements that need no new
     * space.
     */
    static boolean refusesForLackOfResources(String state) {
        return state != null && state.startsWith("53") && !state.equals("53300");
    }

    /** Statement cancelled by timeout, lock not available, serialization failure, deadlock. */
    private static boolean isBusy(String state) {
        return state.equals("57014") || state.equals("55P03") || state.equals("40001") || state.equals("40P01");
    }
}
