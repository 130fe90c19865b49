package dev.courier.testing;

import dev.courier.config.JdbcTarget;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One real PostgreSQL server for the whole test run (the embedded binaries, so a fresh machine needs nothing
 * installed), and a fresh database on it for each test server. Stopped when the JVM exits.
 */
public final class TestDatabase {

    private static final AtomicInteger NEXT = new AtomicInteger();
    private static EmbeddedPostgres server;

    private TestDatabase() {
    }

    /** A new, empty database; the Courier server that uses it migrates it. */
    public static synchronized JdbcTarget freshDatabase() {
        String name = "courier_test_" + ProcessHandle.current().pid() + "_" + NEXT.incrementAndGet();
        execute("CREATE DATABASE " + name);
        return new JdbcTarget(jdbcUrl(name), "postgres", null);
    }

    public static synchronized String jdbcUrl(String database) {
        return server().getJdbcUrl("postgres", database);
    }

    /** Runs one statement as the superuser on the {@code postgres} database (e.g. pg_terminate_backend). */
    public static void execute(String sql) {
        try (Connection c = server().getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("test database statement failed: " + sql, e);
        }
    }

    /** Runs one statement as the superuser on the given database, e.g. to age a session past its expiry. */
    public static void execute(JdbcTarget database, String sql) {
        try (Connection c = java.sql.DriverManager.getConnection(database.jdbcUrl(), "postgres", null);
             Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("test database statement failed: " + sql, e);
        }
    }

    /**
     * Takes an ACCESS EXCLUSIVE lock on {@code table} in the given database and holds it until closed: every
     * statement that touches the table then waits, as behind a stuck migration or a long transaction.
     */
    public static AutoCloseable lockTable(JdbcTarget database, String table) throws SQLException {
        Connection c = java.sql.DriverManager.getConnection(database.jdbcUrl(), "postgres", null);
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
            s.execute("LOCK TABLE " + table + " IN ACCESS EXCLUSIVE MODE");
        }
        return () -> {
            try (c) {
                c.rollback();
            }
        };
    }

    /**
     * Takes one database away from whoever uses it: it refuses new connections (superusers included) and its open
     * sessions are ended, as when PostgreSQL goes down. {@link #acceptConnections} brings it back.
     */
    public static void refuseConnections(String database) {
        execute("ALTER DATABASE " + database + " ALLOW_CONNECTIONS false");
        execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + database + "'");
    }

    public static void acceptConnections(String database) {
        execute("ALTER DATABASE " + database + " ALLOW_CONNECTIONS true");
    }

    public static synchronized int port() {
        return server().getPort();
    }

    private static synchronized EmbeddedPostgres server() {
        if (server == null) {
            try {
                Path dir = Files.createTempDirectory("courier-test-pg");
                System.setProperty("ot.epg.working-dir", dir.resolve("runtime").toString());
                server = EmbeddedPostgres.builder()
                        .setDataDirectory(dir.resolve("data"))
                        .setCleanDataDirectory(true)
                        .setServerConfig("max_connections", "300")
                        .setServerConfig("listen_addresses", "127.0.0.1")
                        .start();
                EmbeddedPostgres started = server;
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    try {
                        started.close();
                    } catch (IOException e) {
                        // the JVM is exiting; nothing left to tell
                    }
                }));
            } catch (IOException e) {
                throw new UncheckedIOException("could not start the test PostgreSQL", e);
            }
        }
        return server;
    }
}
