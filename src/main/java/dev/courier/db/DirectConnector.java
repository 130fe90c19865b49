package dev.courier.db;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import org.postgresql.Driver;

/**
 * Connections outside the pool, for the two jobs the pool cannot do when it is empty or broken: probing whether
 * PostgreSQL answers ({@link HeartbeatConnection}), and terminating the backend of a connection being taken back.
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

    /** True behind a pooler in transaction mode, where a statement may queue for one of its server connections. */
    boolean transactionPooled() {
        return target.transactionPooled();
    }

    /** Ends a backend: PostgreSQL rolls back its transaction and frees its locks, even mid-statement. */
    void terminateBackend(int pid) throws SQLException {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute("SELECT pg_terminate_backend(" + pid + ")");
        }
    }

    /** A connection of its own; a server that accepts it and then answers nothing fails it within about 3 s. */
    Connection connect() throws SQLException {
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
