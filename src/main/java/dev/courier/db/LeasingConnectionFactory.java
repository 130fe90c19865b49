package dev.courier.db;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import org.jdbi.v3.core.ConnectionFactory;

/**
 * Hands Jdbi connections from the pool and records each one as a lease of the operation that
 * {@link Database} is running on this thread.
 */
final class LeasingConnectionFactory implements ConnectionFactory {

    private static final ThreadLocal<String> CALL_SITE = new ThreadLocal<>();

    private final HikariDataSource dataSource;
    private final LeaseRegistry leases;

    LeasingConnectionFactory(HikariDataSource dataSource, LeaseRegistry leases) {
        this.dataSource = dataSource;
        this.leases = leases;
    }

    static String enter(String callSite) {
        String outer = CALL_SITE.get();
        CALL_SITE.set(callSite);
        return outer;
    }

    static void exit(String outer) {
        if (outer == null) {
            CALL_SITE.remove();
        } else {
            CALL_SITE.set(outer);
        }
    }

    @Override
    public Connection openConnection() throws SQLException {
        Connection connection = dataSource.getConnection();
        String callSite = CALL_SITE.get();
        leases.open(callSite == null ? "unnamed" : callSite, connection);
        return connection;
    }

    @Override
    public void closeConnection(Connection connection) throws SQLException {
        leases.close(connection);
        connection.close();
    }
}
