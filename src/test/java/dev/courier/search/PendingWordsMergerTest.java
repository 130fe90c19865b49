package dev.courier.search;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.config.JdbcTarget;
import dev.courier.config.PoolConfig;
import dev.courier.db.Database;
import dev.courier.db.DatabaseTarget;
import dev.courier.db.PooledDatabaseFactory;
import dev.courier.testing.TestDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The search index's pending list is merged by the merger, not by a send: the words stored messages leave there are
 * moved into the index on request and found through it afterwards; a merge another node holds is left to it; and the
 * list's backstop limit is the migration's.
 */
class PendingWordsMergerTest {

    private static JdbcTarget target;
    private static Database db;
    private static long conversation;

    @BeforeAll
    static void open() throws SQLException {
        target = TestDatabase.freshDatabase();
        db = PooledDatabaseFactory.open(new DatabaseTarget(target.jdbcUrl(), target.user(), target.password(), "test"),
                PoolConfig.defaults().withMaxSize(4), new SimpleMeterRegistry(), () -> { });
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute("INSERT INTO users (username, display_name, password_hash) VALUES ('ferry', 'ferry', 'x')");
            s.execute("INSERT INTO conversations (type, title, last_seq) VALUES ('group', 'crossings', 0)");
            conversation = one(s, "SELECT max(id) FROM conversations");
        }
    }

    @AfterAll
    static void close() {
        db.close();
    }

    @Test
    void wordsOfStoredMessagesAreMergedIntoTheIndexAndFoundThroughIt() throws SQLException {
        PendingWordsMerger merger = new PendingWordsMerger(db, new SimpleMeterRegistry());
        merger.mergeOnce();
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute("INSERT INTO messages (conversation_id, seq, sender_id, client_msg_id, body) SELECT "
                    + conversation + ", g, (SELECT min(id) FROM users), gen_random_uuid(), "
                    + "'the ferry to hvar leaves at ' || g FROM generate_series(1, 3000) g");
        }

        assertThat(merger.mergeOnce()).as("pages moved from the pending list").isPositive();
        assertThat(merger.mergeOnce()).as("nothing left to move").isZero();
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute("SET enable_seqscan = off");
            assertThat(one(s, "SELECT count(*) FROM messages m WHERE to_tsvector('courier_search'::regconfig, m.body)"
                    + " @@ websearch_to_tsquery('courier_search'::regconfig, 'ferry hvar')")).isEqualTo(3000);
        }
    }

    @Test
    void aMergeAnotherNodeIsDoingIsLeftToIt() throws SQLException {
        PendingWordsMerger merger = new PendingWordsMerger(db, new SimpleMeterRegistry());
        try (Connection other = connect(); Statement s = other.createStatement()) {
            other.setAutoCommit(false);
            s.execute("SELECT pg_advisory_xact_lock(" + PendingWordsMerger.LOCK_KEY + ")");

            assertThat(merger.mergeOnce()).isEqualTo(PendingWordsMerger.MERGED_ELSEWHERE);

            other.rollback();
        }
        assertThat(merger.mergeOnce()).isNotEqualTo(PendingWordsMerger.MERGED_ELSEWHERE);
    }

    @Test
    void thePendingListMayGrowToItsBackstopBeforeAnInsertMergesIt() throws SQLException {
        try (Connection c = connect(); Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT array_to_string(reloptions, ',') FROM pg_class "
                     + "WHERE oid = 'messages_search_idx'::regclass")) {
            r.next();
            assertThat(r.getString(1)).contains("gin_pending_list_limit=32768");
        }
    }

    private static Connection connect() throws SQLException {
        return DriverManager.getConnection(target.jdbcUrl(), target.user(), target.password());
    }

    private static long one(Statement s, String sql) throws SQLException {
        try (ResultSet r = s.executeQuery(sql)) {
            r.next();
            return r.getLong(1);
        }
    }
}
