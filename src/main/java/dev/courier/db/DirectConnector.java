package dev.courier.db;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import org.postgresql.Driver;

/**
 * Short-lived connections outside the pool, for the two jobs the pool cannot do when it is empty or broken:
 * probing whether PostgreSQL answers, and terminating the backend of a connection being taken back.
 */
final class DirectConnector {

    private static final Driver DRIVER = new Driver();

    private final DatabaseTarget target;

    DirectConnector(DatabaseTarget target) {
        this.target = target;
    }

    /** False behind a transaction pooler, whose backend pids are its own and name no PostgreSQL backend. */
    boolean backendPidsAreReal() {
        return !target.transactionPooled();
    }

    /** Connects and runs {@code SELECT 1}; throws with the driver's reason when PostgreSQL does not answer. */
    void probe() throws SQLException {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute("SELECT 1");
        }
    }

    /** Ends a backend: PostgreSQL rolls back its transaction and frees its locks, even mid-statement. */
    void terminateBackend(int pid) throws SQLException {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute("SELECT pg_terminate_backend(" + pid + ")");
        }
    }

    private Connection connect() throws SQLException {
        Properties props = new Properties();
        if (target.user() != null) {
            props.setProperty("user", target.user());
        }
        if (target.password() != null) {
            props.setProperty("password", target.password());
        }
        props.setProperty("connectTimeout", "2");
        props.setProperty("socketTimeout", "3");
        props.setProperty("ApplicationName", "courier-probe");
        Connection c = DRIVER.connect(target.jdbcUrl(), props);
        if (c == null) {
            throw new SQLException("not a PostgreSQL URL", "08001");
        }
        return c;
    }
}
