package dev.courier.messages;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.config.JdbcTarget;
import dev.courier.config.PoolConfig;
import dev.courier.db.DatabaseTarget;
import dev.courier.db.PooledDatabaseFactory;
import dev.courier.testing.TestDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * A database migrated before R__append_messages.sql existed (up to V6, the last versioned migration to define
 * {@code append_messages}) upgrades to the functions a fresh database gets, and announces stored messages in the bytes
 * V6 did: nodes of both versions share the bus during a rolling restart.
 */
class AppendMessagesMigrationTest {

    @Test
    void aDatabaseMigratedToV6EndsWithTheFunctionsOfAFreshOne() throws Exception {
        JdbcTarget upgraded = TestDatabase.freshDatabase();
        migrateToV6(upgraded);
        assertThat(functions(upgraded)).containsKey("announced_message(bigint,bigint,bigint,bigint,uuid,text,"
                + "timestamp with time zone,integer)");
        migrateAsTheServerDoes(upgraded);
        JdbcTarget fresh = TestDatabase.freshDatabase();
        migrateAsTheServerDoes(fresh);

        Map<String, String> functions = functions(upgraded);
        assertThat(functions).containsOnlyKeys(
                "append_messages(bigint[],bigint[],uuid[],text[],text,text)",
                "append_messages(bigint[],bigint[],uuid[],text[],bigint[],text,text)",
                "append_messages(bigint[],bigint[],uuid[],text[],bigint[],text[],text,text)",
                "message_announcements(text,messages[])",
                "message_mentions(bigint,text)");
        assertThat(functions).isEqualTo(functions(fresh));
    }

    @Test
    void theUpgradeAnnouncesTheMessagesOfABatchInTheBytesV6Did() throws Exception {
        JdbcTarget target = TestDatabase.freshDatabase();
        migrateToV6(target);
        List<String> bodies = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            bodies.add(i + " she said \"hi\"\n\t\\ é 漢字 🙂 \u0001 ".repeat(i * 3));
        }
        bodies.add(20, "x".repeat(8_000));
        List<String> announcedByV6 = appendAndListen(target, bodies);
        migrateAsTheServerDoes(target);

        List<String> announcedNow;
        try (Connection c = connect(target); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT message_announcements('node-a', array_agg(m ORDER BY m.seq)) "
                     + "FROM messages m")) {
            rs.next();
            announcedNow = List.of((String[]) rs.getArray(1).getArray());
        }

        assertThat(announcedByV6).hasSizeGreaterThan(2);
        assertThat(announcedNow).isEqualTo(announcedByV6);
    }

    /**
     * Applies V1 to V6 alone. Flyway's {@code target} would not do: it applies the repeatable migrations whatever the
     * target, so the database would already hold R__append_messages.sql's functions.
     */
    private static void migrateToV6(JdbcTarget target) throws IOException, URISyntaxException {
        Path landed = Path.of(AppendMessagesMigrationTest.class.getResource("/db/migration").toURI());
        Path upToV6 = Files.createTempDirectory("courier-migrations-v6");
        try (Stream<Path> migrations = Files.list(landed)) {
            for (Path migration : migrations.filter(m -> m.getFileName().toString().matches("V[1-6]__.*\\.sql"))
                    .toList()) {
                Files.copy(migration, upToV6.resolve(migration.getFileName()));
            }
        }
        try {
            Flyway.configure()
                    .dataSource(target.jdbcUrl(), target.user(), target.password())
                    .locations("filesystem:" + upToV6)
                    .load()
                    .migrate();
        } finally {
            try (Stream<Path> copies = Files.list(upToV6)) {
                for (Path copy : copies.toList()) {
                    Files.delete(copy);
                }
            }
            Files.delete(upToV6);
        }
    }

    private static void migrateAsTheServerDoes(JdbcTarget target) {
        PooledDatabaseFactory.open(new DatabaseTarget(target.jdbcUrl(), target.user(), target.password(), "test"),
                PoolConfig.defaults().withMaxSize(1), new SimpleMeterRegistry(), () -> { }).close();
    }

    /**
     * Every function of the schema by its signature, with its definition; an extension's own (unaccent's, which the
     * search migration creates) are the extension's, not the migrations'.
     */
    private static Map<String, String> functions(JdbcTarget target) throws SQLException {
        Map<String, String> functions = new LinkedHashMap<>();
        try (Connection c = connect(target); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT p.oid::regprocedure::text, pg_get_functiondef(p.oid) FROM pg_proc p "
                     + "WHERE p.pronamespace = 'public'::regnamespace AND NOT EXISTS (SELECT 1 FROM pg_depend d "
                     + "WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e') ORDER BY 1")) {
            while (rs.next()) {
                functions.put(rs.getString(1), rs.getString(2));
            }
        }
        return functions;
    }

    /** Stores {@code bodies} as one batch in one conversation, announced from "node-a"; returns the notifications. */
    private static List<String> appendAndListen(JdbcTarget target, List<String> bodies) throws SQLException {
        try (Connection c = connect(target); Statement s = c.createStatement()) {
            long user;
            long conversation;
            try (ResultSet rs = s.executeQuery("INSERT INTO users (username, display_name, password_hash) "
                    + "VALUES ('alice', 'alice', 'not a hash') RETURNING id")) {
                rs.next();
                user = rs.getLong(1);
            }
            try (ResultSet rs = s.executeQuery("INSERT INTO conversations (type, title) VALUES ('group', 'test') "
                    + "RETURNING id")) {
                rs.next();
                conversation = rs.getLong(1);
            }
            s.execute("INSERT INTO memberships (conversation_id, user_id) VALUES (" + conversation + ", " + user + ")");
            s.execute("LISTEN test_announcements");
            try (PreparedStatement append = c.prepareStatement("SELECT count(*) FROM append_messages(?, ?, ?, ?, "
                    + "'test_announcements', 'node-a')")) {
                append.setArray(1, c.createArrayOf("bigint", bodies.stream().map(b -> user).toArray()));
                append.setArray(2, c.createArrayOf("bigint", bodies.stream().map(b -> conversation).toArray()));
                append.setArray(3, c.createArrayOf("uuid", bodies.stream().map(b -> UUID.randomUUID()).toArray()));
                append.setArray(4, c.createArrayOf("text", bodies.toArray()));
                append.execute();
            }
            List<String> payloads = new ArrayList<>();
            PGConnection pg = c.unwrap(PGConnection.class);
            for (PGNotification[] n = pg.getNotifications(5_000); n != null && n.length > 0;
                 n = pg.getNotifications(500)) {
                Arrays.stream(n).map(PGNotification::getParameter).forEach(payloads::add);
            }
            return payloads;
        }
    }

    private static Connection connect(JdbcTarget target) throws SQLException {
        return DriverManager.getConnection(target.jdbcUrl(), target.user(), target.password());
    }
}
