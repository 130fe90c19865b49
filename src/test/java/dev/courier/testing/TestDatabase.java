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

    /** Runs one statement as the superuser on a database made by {@link #freshDatabase()}. */
    public static void execute(JdbcTarget database, String sql) {
        try (Connection c = java.sql.DriverManager.getConnection(database.jdbcUrl(), database.user(), "");
             Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("test database statement failed: " + sql, e);
        }
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
