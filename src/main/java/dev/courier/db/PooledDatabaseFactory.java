package dev.courier.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.courier.config.PoolConfig;
import io.micrometer.core.instrument.MeterRegistry;
import org.flywaydb.core.Flyway;

/**
 * Builds the pool, migrates the schema and returns the {@link Database} door, in one call (the way Dropwizard's
 * JdbiFactory builds pool, metrics and lifecycle together).
 */
public final class PooledDatabaseFactory {

    private PooledDatabaseFactory() {
    }

    public static Database open(DatabaseTarget target, PoolConfig pool, MeterRegistry meters, Runnable onClose) {
        HikariDataSource dataSource = new HikariDataSource(hikariConfig(target, pool, meters));
        try {
            Flyway.configure()
                    .dataSource(dataSource)
                    .locations("classpath:db/migration")
                    .load()
                    .migrate();
        } catch (RuntimeException e) {
            dataSource.close();
            throw e;
        }
        return new Database(dataSource, new LeaseRegistry(meters), pool, new DirectConnector(target), meters, onClose);
    }

    static HikariConfig hikariConfig(DatabaseTarget target, PoolConfig pool, MeterRegistry meters) {
        HikariConfig config = new HikariConfig();
        config.setPoolName("courier");
        config.setJdbcUrl(target.jdbcUrl());
        if (target.user() != null) {
            config.setUsername(target.user());
        }
        if (target.password() != null) {
            config.setPassword(target.password());
        }
        config.setMaximumPoolSize(pool.maxSize());
        config.setMinimumIdle(pool.maxSize());
        // Fail fast: a caller that cannot get a connection soon is answered "overloaded", never left hanging.
        config.setConnectionTimeout(pool.acquireTimeout().toMillis());
        config.setValidationTimeout(Math.max(250, pool.acquireTimeout().toMillis()));
        // Start even when the database is down; requests answer "unavailable" until it is back.
        config.setInitializationFailTimeout(-1);
        config.setMetricRegistry(meters);
        // PostgreSQL's own safety nets, so the database frees what a stuck or dead client holds even if the JVM cannot.
        config.addDataSourceProperty("options", "-c statement_timeout=" + pool.statementTimeout().toMillis()
                + " -c idle_in_transaction_session_timeout=" + pool.idleInTransactionTimeout().toMillis()
                + " -c lock_timeout=" + pool.lockTimeout().toMillis()
                + " -c synchronous_commit=on"
                // server-side keepalives: PostgreSQL notices a vanished client within about a minute
                + " -c tcp_keepalives_idle=30 -c tcp_keepalives_interval=10 -c tcp_keepalives_count=3");
        config.addDataSourceProperty("tcpKeepAlive", "true");
        config.addDataSourceProperty("connectTimeout", "5");
        // seconds; above statement_timeout, so only a dead peer trips it
        config.addDataSourceProperty("socketTimeout", String.valueOf(pool.statementTimeout().toSeconds() + 10));
        config.addDataSourceProperty("ApplicationName", "courier");
        return config;
    }
}
