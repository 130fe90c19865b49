package dev.courier.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.courier.config.PoolConfig;
import io.micrometer.core.instrument.MeterRegistry;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.postgres.PostgresPlugin;

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
                    // the pool's acquire deadline is short by design; a first connection to a busy server may take longer
                    .connectRetries(3)
                    .load()
                    .migrate();
        } catch (RuntimeException e) {
            dataSource.close();
            throw e;
        }
        LeaseRegistry leases = new LeaseRegistry(meters);
        Jdbi jdbi = Jdbi.create(new LeasingConnectionFactory(dataSource, leases)).installPlugin(new PostgresPlugin());
        return new Database(dataSource, jdbi, leases, onClose);
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
                + " -c synchronous_commit=on");
        config.addDataSourceProperty("tcpKeepAlive", "true");
        config.addDataSourceProperty("connectTimeout", "5");
        // seconds; above statement_timeout, so only a dead peer trips it
        config.addDataSourceProperty("socketTimeout", String.valueOf(pool.statementTimeout().toSeconds() + 10));
        config.addDataSourceProperty("ApplicationName", "courier");
        return config;
    }
}
