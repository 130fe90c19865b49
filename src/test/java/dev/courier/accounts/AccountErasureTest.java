package dev.courier.accounts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.courier.config.CourierConfig;
import dev.courier.config.JdbcTarget;
import dev.courier.events.EventSink;
import dev.courier.messages.TombstoneFollower;
import dev.courier.messages.Tombstones;
import dev.courier.testing.ApiClient;
import dev.courier.testing.ApiClient.TestUser;
import dev.courier.testing.TestDatabase;
import dev.courier.testing.TestServer;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The erasure of a deleted account's messages: in batches, resumed after a crash halfway from where the last committed
 * batch left off, and idempotent.
 */
class AccountErasureTest {

    /** Two conversations, {@code perConversation} messages of the user in each, interleaved with another sender's. */
    private static long[] fill(TestServer server, TestUser user, TestUser other, int perConversation) {
        ApiClient api = server.client();
        long[] conversations = {api.group(other, "one", user), api.group(other, "two", user)};
        for (long c : conversations) {
            server.execute("INSERT INTO messages (conversation_id, seq, sender_id, client_msg_id, body) "
                    + "SELECT " + c + ", g, CASE WHEN g % 3 = 0 THEN " + other.id() + " ELSE " + user.id() + " END, "
                    + "gen_random_uuid(), 'body ' || g FROM generate_series(1, " + (perConversation * 3 / 2) + ") g");
            server.execute("UPDATE conversations SET last_seq = " + (perConversation * 3 / 2) + " WHERE id = " + c);
        }
        return conversations;
    }

    /** As the deleting transaction leaves the database, before any message was tombstoned. */
    private static void markDeleted(TestServer server, TestUser user) {
        server.execute("UPDATE users SET username = '~deleted-' || id, display_name = 'Deleted user', "
                + "password_hash = '', deleted_at = now() WHERE id = " + user.id());
        server.execute("INSERT INTO account_deletions (user_id) VALUES (" + user.id() + ")");
    }

    private static long live(TestServer server, TestUser user) {
        return server.queryLong("SELECT count(*) FROM messages WHERE sender_id = " + user.id()
                + " AND deleted_at IS NULL");
    }

    @Test
    void aCrashHalfwayLosesOnlyTheBatchInFlightAndTheNextRunFinishesWithGaplessChangeSeqs() {
        try (TestServer server = TestServer.start()) {
            ApiClient api = server.client();
            TestUser user = api.newUser("erased");
            TestUser other = api.newUser("other");
            fill(server, user, other, AccountErasure.BATCH);
            long total = live(server, user);
            assertThat(total).isEqualTo(2L * AccountErasure.BATCH);
            markDeleted(server, user);

            // the second batch dies inside its transaction, as if the node crashed before its commit
            AtomicInteger batches = new AtomicInteger();
            TombstoneFollower crashOnSecond = (h, ids) -> {
                if (batches.incrementAndGet() == 2) {
                    throw new IllegalStateException("simulated crash");
                }
            };
            AccountErasure crashing = new AccountErasure(server.server().database(),
                    new Tombstones(EventSink.discarding(), crashOnSecond), false);
            assertThatThrownBy(crashing::eraseUnfinished).hasMessageContaining("simulated crash");
            assertThat(live(server, user)).isEqualTo(total - AccountErasure.BATCH);
            assertThat(server.queryLong("SELECT count(*) FROM account_deletions WHERE user_id = " + user.id()
                    + " AND finished_at IS NULL AND after_seq > 0")).isEqualTo(1);

            AccountErasure restarted = new AccountErasure(server.server().database(),
                    new Tombstones(EventSink.discarding(), TombstoneFollower.NONE), false);
            assertThat(restarted.eraseUnfinished()).isEqualTo(AccountErasure.BATCH);
            assertThat(live(server, user)).isZero();
            assertThat(server.queryLong("SELECT count(*) FROM account_deletions WHERE user_id = " + user.id()
                    + " AND finished_at IS NOT NULL")).isEqualTo(1);
            // the other sender's messages are untouched, the seqs unchanged
            assertThat(server.queryLong("SELECT count(*) FROM messages WHERE sender_id = " + other.id()
                    + " AND deleted_at IS NULL")).isEqualTo(AccountErasure.BATCH);
            // each tombstone is a change of its own: per conversation, changeSeqs 1..n without a gap or a repeat
            assertThat(server.queryLong("SELECT count(*) FROM (SELECT conversation_id, count(*) n, "
                    + "count(DISTINCT change_seq) d, min(change_seq) lo, max(change_seq) hi FROM messages "
                    + "WHERE sender_id = " + user.id() + " GROUP BY conversation_id) x "
                    + "WHERE n <> d OR lo <> 1 OR hi <> n")).isZero();
            assertThat(server.queryLong("SELECT count(*) FROM conversation_changes k JOIN (SELECT conversation_id, "
                    + "max(change_seq) m FROM messages WHERE sender_id = " + user.id() + " GROUP BY conversation_id) x "
                    + "ON x.conversation_id = k.conversation_id WHERE k.last_change_seq <> x.m")).isZero();

            // running again changes nothing
            assertThat(restarted.eraseUnfinished()).isZero();
        }
    }

    @Test
    void aNodeStartedOnADatabaseWithAnUnfinishedDeletionFinishesIt() {
        JdbcTarget database = TestDatabase.freshDatabase();
        CourierConfig config = TestServer.defaultConfig(database);
        TestUser user;
        try (TestServer first = TestServer.start(config)) {
            ApiClient api = first.client();
            user = api.newUser("erased");
            fill(first, user, api.newUser("other"), 300);
        }
        // the node died after the deleting transaction committed, before its first batch
        TestDatabase.execute(database, "UPDATE users SET username = '~deleted-' || id, display_name = 'Deleted user', "
                + "password_hash = '', deleted_at = now() WHERE id = " + user.id());
        TestDatabase.execute(database, "INSERT INTO account_deletions (user_id) VALUES (" + user.id() + ")");
        try (TestServer second = TestServer.start(config)) {
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (live(second, user) > 0 && System.nanoTime() < deadline) {
                sleep(50);
            }
            assertThat(live(second, user)).isZero();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
