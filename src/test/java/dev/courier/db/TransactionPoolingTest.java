package dev.courier.db;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.courier.config.JdbcTarget;
import dev.courier.testing.ApiClient;
import dev.courier.testing.ApiClient.TestUser;
import dev.courier.testing.NodeProcess;
import dev.courier.testing.PgBouncer;
import dev.courier.testing.StreamClient;
import dev.courier.testing.TestDatabase;
import java.net.URI;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Courier through a real PgBouncer in transaction pooling mode ({@code --db-pool-mode transaction}), with the
 * postgres bus listening on a direct connection: the representative flows work although consecutive transactions
 * land on different server connections (no prepared statement or setting is assumed to survive), the lock timeout
 * still ends a wait (it is the database's default, not a startup option), and leaked connections are taken back.
 */
class TransactionPoolingTest {

    private static final String ADMIN = "pooling-admin-token-0123456789";
    private static final Duration WAIT = Duration.ofSeconds(20);

    @Test
    void flowsLeakReclaimAndLockTimeoutWorkThroughPgBouncerInTransactionMode() throws Exception {
        JdbcTarget database = TestDatabase.freshDatabase();
        String name = URI.create(database.jdbcUrl().substring(5)).getPath().substring(1);
        // what TransactionPoolingCheck asks for: the pool's timeouts as the database's defaults
        TestDatabase.execute("ALTER DATABASE " + name + " SET statement_timeout = '5000ms'");
        TestDatabase.execute("ALTER DATABASE " + name + " SET lock_timeout = '2000ms'");
        TestDatabase.execute("ALTER DATABASE " + name + " SET idle_in_transaction_session_timeout = '10000ms'");
        try (PgBouncer bouncer = PgBouncer.startInTransactionMode(Files.createTempDirectory("pgbouncer"), name, 8);
             NodeProcess node = NodeProcess.start(bouncer.jdbcUrl(name), "--db-pool-mode", "transaction",
                     "--db-direct-url", database.jdbcUrl(), "--pool-size", "6",
                     "--rate-limits", "off", "--enable-fault-injection", "--admin-token", ADMIN);
             NodeProcess other = NodeProcess.start(bouncer.jdbcUrl(name), "--db-pool-mode", "transaction",
                     "--db-direct-url", database.jdbcUrl(), "--pool-size", "6",
                     "--rate-limits", "off")) {
            ApiClient api = new ApiClient(node.baseUrl());
            TestUser alice = api.newUser("alice");
            TestUser bob = api.newUser("bob");
            long conversation = api.direct(alice, bob);
            // bob listens on the other node: the message reaches him through NOTIFY and the direct LISTEN
            StreamClient bobStream = StreamClient.connect(other.baseUrl(), bob.token());
            // more than pgjdbc's 5 uses before it would prepare a statement on the server
            for (int i = 1; i <= 30; i++) {
                assertThat(api.sendMessage(alice, conversation, "m" + i).status()).isEqualTo(201);
            }
            List<JsonNode> delivered = bobStream.messagesUntil(m -> m.size() >= 30, WAIT);
            assertThat(delivered).extracting(m -> m.path("seq").asLong())
                    .containsExactlyElementsOf(seqs(30));
            JsonNode history = api.get("/v1/conversations/" + conversation + "/messages?after=0&limit=100",
                    bob.token()).json();
            assertThat(history.path("messages")).hasSize(30);

            // the lock timeout still ends a wait behind a lock: a send answers in about 2 s, never hangs
            try (AutoCloseable lock = TestDatabase.lockTable(database, "conversations")) {
                long start = System.nanoTime();
                ApiClient.Response blocked = api.sendMessage(alice, conversation, "behind a lock");
                long millis = (System.nanoTime() - start) / 1_000_000;
                assertThat(blocked.status()).as(blocked.toString()).isGreaterThanOrEqualTo(500);
                assertThat(millis).isBetween(1_500L, 4_500L);
            }

            // leaks are taken back through the pooler, and the node serves on
            double reclaimedBefore = api.metric("courier_db_pool_leaks_reclaimed_total");
            api.put("/v1/admin/faults", ADMIN, Map.of("leakRate", 0.5));
            for (int i = 0; i < 20; i++) {
                api.get("/v1/conversations", alice.token());
            }
            api.put("/v1/admin/faults", ADMIN, Map.of("leakRate", 0.0));
            assertThat(api.metricOnce("courier_db_pool_leaks_reclaimed_total", v -> v > reclaimedBefore, WAIT))
                    .isGreaterThan(reclaimedBefore);
            for (int i = 0; i < 20; i++) {
                assertThat(api.sendMessage(alice, conversation, "after " + i).status()).isEqualTo(201);
            }
        }
    }

    private static List<Long> seqs(int n) {
        List<Long> seqs = new ArrayList<>();
        for (long s = 1; s <= n; s++) {
            seqs.add(s);
        }
        return seqs;
    }
}
