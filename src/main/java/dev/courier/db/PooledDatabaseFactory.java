package dev.courier.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.courier.config.PoolConfig;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Comparator;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.flywaydb.database.postgresql.PostgreSQLConfigurationExtension;

/**
 * Builds the pool, migrates the schema and returns the {@link Database} door, in one call (the way Dropwizard's
 * JdbiFactory builds pool, metrics and lifecycle together).
 */
public final class PooledDatabaseFactory {

    /** Flyway waits 1 s, 2 s, 4 s ... between attempts: a database still starting gets about half a minute. */
    private static final int MIGRATION_CONNECT_RETRIES = 5;

    private PooledDatabaseFactory() {
    }

    public static Database open(DatabaseTarget target, PoolConfig pool, MeterRegistry meters, Runnable onClose) {
        return open(target, target, pool, meters, PausedTime.NONE, onClose);
    }

    /**
     * @param sessions where the migrations run: PostgreSQL itself when the pool's {@code target} is a pooler in
     *                 transaction mode and a direct address was given, else {@code target}
     * @param pauses   this process's pauses, left out of the leak sweep's and the probe's judgements
     */
    public static Database open(DatabaseTarget target, DatabaseTarget sessions, PoolConfig pool, MeterRegistry meters,
                                PausedTime pauses, Runnable onClose) {
        String schemaVersion = migrate(sessions);
        HikariDataSource dataSource = new HikariDataSource(hikariConfig(target, pool, meters, APPLICATION_NAME));
        if (target.transactionPooled()) {
            TransactionPoolingCheck.warnUnlessTimeoutsHold(dataSource, pool, target.user());
        }
        return new Database(dataSource, new LeaseRegistry(meters), pool, new DirectConnector(target), pauses, meters,
                onClose, schemaVersion);
    }

    /**
     * A small pool on a database that is left as it is, without migrating it: for a command that only looks
     * ({@code courier audit}). Its sessions are named {@code courier-audit}, so that they are not counted as a
     * node's.
     */
    public static Database openForInspection(DatabaseTarget target, MeterRegistry meters) {
        PoolConfig pool = new PoolConfig(2, java.time.Duration.ofSeconds(5), java.time.Duration.ofSeconds(30),
                java.time.Duration.ofSeconds(10), java.time.Duration.ofSeconds(2), java.time.Duration.ofSeconds(60),
                java.time.Duration.ofSeconds(120));
        HikariConfig config = hikariConfig(target, pool, meters, "courier-audit");
        // Its sessions keep the server's synchronous_commit (or their role's), which the audit reports as the default
        // that clients get without asking; the timeouts stay, so that the audit itself cannot hang or hold locks.
        config.addDataSourceProperty("options", "-c statement_timeout=" + pool.statementTimeout().toMillis()
                + " -c idle_in_transaction_session_timeout=" + pool.idleInTransactionTimeout().toMillis()
                + " -c lock_timeout=" + pool.lockTimeout().toMillis());
        HikariDataSource dataSource = new HikariDataSource(config);
        return new Database(dataSource, new LeaseRegistry(meters), pool, new DirectConnector(target), PausedTime.NONE,
                meters, () -> { }, "");
    }

    /**
     * Migrates on connections of its own, not the request pool's. The pool is built for requests: its acquire
     * deadline (250 ms by default) fails a start on a busy machine while the first connections are still being
     * opened, a pool of one cannot serve Flyway's lock and migration connections at once, and the statement and
     * lock timeouts that protect requests would abort a long migration.
     */
    private static String migrate(DatabaseTarget target) {
        FluentConfiguration configuration = Flyway.configure()
                .dataSource(target.jdbcUrl(), target.user(), target.password())
                .connectRetries(MIGRATION_CONNECT_RETRIES)
                .locations("classpath:db/migration");
        // A session-level advisory lock instead of one held in an open transaction: CREATE INDEX CONCURRENTLY
        // (V15__search_index.sql) waits for every transaction open when it starts, the lock's included, and would
        // wait for it forever. A session lock needs a session of its own, so behind a transaction pooler the
        // migrations run on --db-direct-url (CourierServer insists on it).
        configuration.getPluginRegister().getPlugin(PostgreSQLConfigurationExtension.class).setTransactionalLock(false);
        Flyway flyway = configuration.load();
        flyway.migrate();
        return shippedVersion(flyway);
    }

    /**
     * The highest versioned migration this build carries: the schema version it expects. A database ahead of it (a
     * newer node migrated it during a rolling upgrade) is not what this node expects, which the audit reports.
     */
    private static String shippedVersion(Flyway flyway) {
        return java.util.Arrays.stream(flyway.info().all())
                .filter(m -> m.getVersion() != null && m.getState().isResolved())
                .map(MigrationInfo::getVersion)
                .max(Comparator.naturalOrder())
                .map(Object::toString)
                .orElse("0");
    }

    /** The {@code application_name} of a node's pooled sessions, by which the audit finds them. */
    public static final String APPLICATION_NAME = "courier";

    static HikariConfig hikariConfig(DatabaseTarget target, PoolConfig pool, MeterRegistry meters) {
        return hikariConfig(target, pool, meters, APPLICATION_NAME);
    }

    static HikariConfig hikariConfig(DatabaseTarget target, PoolConfig pool, MeterRegistry meters,
                                     String applicationName) {
        HikariConfig config = new HikariConfig();
        config.setPoolName(applicationName);
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
        if (target.transactionPooled()) {
            // Behind a pooler in transaction mode the next statement may run on another server connection: a named
            // server-side prepared statement (pgjdbc prepares one after 5 uses) would not be there. PgBouncer 1.18,
            // Debian 12's, has no protocol-level prepared statements (1.21's max_prepared_statements); with it this
            // could stay on. And PgBouncer refuses the "options" startup parameter: the same settings come from the
            // role's or the database's defaults instead (ALTER ROLE ... SET), which TransactionPoolingCheck verifies.
            config.addDataSourceProperty("prepareThreshold", "0");
        } else {
            addSessionSafetyNets(config, pool);
        }
        config.addDataSourceProperty("tcpKeepAlive", "true");
        config.addDataSourceProperty("connectTimeout", "5");
        // seconds; above statement_timeout, so only a dead peer trips it
        config.addDataSourceProperty("socketTimeout", String.valueOf(pool.statementTimeout().toSeconds() + 10));
        config.addDataSourceProperty("ApplicationName", applicationName);
        return config;
    }

    /** The startup settings of each connection, where the connection is a PostgreSQL session of its own. */
    private static void addSessionSafetyNets(HikariConfig config, PoolConfig pool) {
        // PostgreSQL's own safety nets, so the database frees what a stuck or dead client holds even if the JVM cannot.
        config.addDataSourceProperty("options", "-c statement_timeout=" + pool.statementTimeout().toMillis()
                + " -c idle_in_transaction_session_timeout=" + pool.idleInTransactionTimeout().toMillis()
                + " -c lock_timeout=" + pool.lockTimeout().toMillis()
                + " -c synchronous_commit=on"
                // server-side keepalives: PostgreSQL notices a vanished client within about a minute
                + " -c tcp_keepalives_idle=30 -c tcp_keepalives_interval=10 -c tcp_keepalives_count=3");
    }
}
