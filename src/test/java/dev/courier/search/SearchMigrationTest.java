package dev.courier.search;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.courier.config.JdbcTarget;
import dev.courier.testing.ApiClient;
import dev.courier.testing.ApiClient.TestUser;
import dev.courier.testing.TestDatabase;
import dev.courier.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.stream.Stream;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

/**
 * A database with messages from before search (migrated up to V9) gets the search configuration and index when a
 * server of this version starts on it: the index is built (concurrently, outside a transaction, with Flyway's lock
 * held on the session rather than in a transaction the build would wait for) over the rows already there, and
 * those messages are found.
 */
class SearchMigrationTest {

    @Test
    void messagesStoredBeforeTheSearchMigrationsAreFoundAfterTheUpgrade() throws Exception {
        JdbcTarget target = TestDatabase.freshDatabase();
        migrateUpToV9(target);
        long conversation;
        try (Connection c = DriverManager.getConnection(target.jdbcUrl(), target.user(), target.password());
             Statement s = c.createStatement()) {
            s.execute("INSERT INTO users (username, display_name, password_hash) VALUES ('old', 'old', 'not a hash')");
            s.execute("INSERT INTO conversations (type, title, last_seq) VALUES ('group', 'before search', 2)");
            conversation = queryLong(s, "SELECT max(id) FROM conversations");
            s.execute("INSERT INTO memberships (conversation_id, user_id) SELECT " + conversation + ", id FROM users");
            String insert = "INSERT INTO messages (conversation_id, seq, sender_id, client_msg_id, body) SELECT "
                    + conversation;
            s.execute(insert + ", 1, id, gen_random_uuid(), 'Die Straße von früher' FROM users");
            s.execute(insert + ", 2, id, gen_random_uuid(), 'and something else' FROM users");
        }

        try (TestServer server = TestServer.start(TestServer.defaultConfig(target))) {
            assertThat(server.queryLong("SELECT count(*) FROM pg_index WHERE indexrelid = "
                    + "'messages_search_idx'::regclass AND indisvalid")).isEqualTo(1);
            ApiClient api = server.client();
            TestUser reader = api.newUser("reader");
            server.execute("INSERT INTO memberships (conversation_id, user_id) VALUES (" + conversation + ", "
                    + reader.id() + ")");

            JsonNode page = api.get("/v1/search?q=strasse", reader.token()).json();

            assertThat(page.path("results")).hasSize(1);
            assertThat(page.path("results").get(0).path("message").path("body").asText())
                    .isEqualTo("Die Straße von früher");
        }
    }

    private static long queryLong(Statement s, String sql) throws Exception {
        try (var rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** V1 to V9 alone: the migrations that had landed before search (the repeatable one left out, as it then was). */
    private static void migrateUpToV9(JdbcTarget target) throws Exception {
        Path landed = Path.of(SearchMigrationTest.class.getResource("/db/migration").toURI());
        Path upToV9 = Files.createTempDirectory("courier-migrations-v9");
        try (Stream<Path> migrations = Files.list(landed)) {
            for (Path migration : migrations.filter(m -> m.getFileName().toString().matches("V[1-9]__.*\\.sql"))
                    .toList()) {
                Files.copy(migration, upToV9.resolve(migration.getFileName()));
            }
        }
        try {
            Flyway.configure()
                    .dataSource(target.jdbcUrl(), target.user(), target.password())
                    .locations("filesystem:" + upToV9)
                    .load()
                    .migrate();
        } finally {
            try (Stream<Path> copies = Files.list(upToV9)) {
                for (Path copy : copies.toList()) {
                    Files.delete(copy);
                }
            }
            Files.delete(upToV9);
        }
    }
}
