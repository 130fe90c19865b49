package dev.courier.messages;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.config.JdbcTarget;
import dev.courier.testing.ApiClient;
import dev.courier.testing.ApiClient.Response;
import dev.courier.testing.ApiClient.TestUser;
import dev.courier.testing.TestDatabase;
import dev.courier.testing.TestServer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A change holds its message's row and its conversation's change counter until it commits; sends lock neither. While
 * a change of a busy group is stuck holding both, sends to that group, a reply to the very message being changed, and
 * sends to other conversations (which the message writers may batch with the group's) are all stored, and changes of
 * other conversations go on too.
 */
class ChangesNeverHoldUpSendsTest {

    @Test
    void whileAChangeHoldsItsLocksSendsEverywhereAndChangesElsewhereGoOn() throws Exception {
        JdbcTarget database = TestDatabase.freshDatabase();
        try (TestServer server = TestServer.start(TestServer.patientPool(TestServer.defaultConfig(database)))) {
            ApiClient api = server.client();
            TestUser alice = api.newUser("alice");
            TestUser bob = api.newUser("bob");
            long busy = api.group(alice, "busy", bob);
            long quiet = api.direct(alice, bob);
            assertThat(api.sendMessage(alice, busy, "the message everyone reacts to").status()).isEqualTo(201);
            assertThat(api.sendMessage(alice, quiet, "a quiet message").status()).isEqualTo(201);
            assertThat(api.react(bob, busy, 1, "\uD83D\uDD25").status()).isEqualTo(204); // the counter row exists

            try (Connection stuck = DriverManager.getConnection(database.jdbcUrl(), database.user(),
                    database.password())) {
                stuck.setAutoCommit(false);
                try (Statement s = stuck.createStatement()) {
                    // the locks of a change in the middle of its transaction (ChangeStore)
                    s.execute("SELECT 1 FROM messages WHERE conversation_id = " + busy + " AND seq = 1 "
                            + "FOR NO KEY UPDATE");
                    s.execute("UPDATE conversation_changes SET last_change_seq = last_change_seq "
                            + "WHERE conversation_id = " + busy);
                }
                CompletableFuture<List<Integer>> sends = CompletableFuture.supplyAsync(() -> List.of(
                        api.sendMessage(bob, busy, "a send to the busy group").status(),
                        api.sendReply(bob, busy, 1, "a reply to the message being changed").status(),
                        api.sendMessage(bob, quiet, "a send elsewhere").status(),
                        api.react(alice, quiet, 1, "\uD83D\uDC4D").status(),
                        api.editMessage(alice, quiet, 1, "an edit elsewhere").status()));

                assertThat(sends.get(20, TimeUnit.SECONDS)).containsExactly(201, 201, 201, 204, 200);
                CompletableFuture<Response> changeOfTheBusyGroup = CompletableFuture.supplyAsync(
                        () -> api.react(alice, busy, 1, "\uD83D\uDE4C"));
                Thread.sleep(300);
                assertThat(changeOfTheBusyGroup).as("a change of the busy group waits for the one holding it").isNotDone();
                stuck.rollback();
                assertThat(changeOfTheBusyGroup.get(20, TimeUnit.SECONDS).status()).isEqualTo(204);
            }
            assertThat(server.queryLong("SELECT last_seq FROM conversations WHERE id = " + busy)).isEqualTo(3);
            assertThat(server.queryLong("SELECT last_change_seq FROM conversation_changes WHERE conversation_id = "
                    + busy)).isEqualTo(2);
        }
    }
}
