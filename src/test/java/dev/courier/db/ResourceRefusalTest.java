package dev.courier.db;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.courier.config.JdbcTarget;
import dev.courier.testing.ApiClient;
import dev.courier.testing.ApiClient.Response;
import dev.courier.testing.ApiClient.TestUser;
import dev.courier.testing.TestDatabase;
import dev.courier.testing.TestServer;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL out of disk: a table cannot grow ("could not extend file ...: No space left on device", SQLSTATE 53100),
 * so every send fails while reads still work (bench/faults.sh scenario c1 fills a real disk). A trigger raises that
 * very error from the real database here. The contract's answer is {@code 503 unavailable} with {@code Retry-After},
 * not a {@code 500}: nothing is wrong with the request or with Courier, and it passes once space is back.
 */
class ResourceRefusalTest {

    @Test
    void aDatabaseOutOfDiskRefusesSendsWithUnavailableServesReadsAndTheErrorRateAlertNamesIt() throws Exception {
        JdbcTarget database = TestDatabase.freshDatabase();
        try (TestServer server = TestServer.start(TestServer.defaultConfig(database))) {
            ApiClient api = server.client();
            TestUser alice = api.newUser("disk");
            TestUser bob = api.newUser("disk");
            long conversation = api.direct(alice, bob);
            assertThat(api.sendMessage(alice, conversation, "before").status()).isEqualTo(201);

            TestDatabase.execute(database, """
                    CREATE FUNCTION disk_full() RETURNS trigger LANGUAGE plpgsql AS $$
                    BEGIN
                      RAISE EXCEPTION 'could not extend file "base/16384/16472": No space left on device'
                        USING ERRCODE = 'disk_full', HINT = 'Check free disk space.';
                    END $$""");
            TestDatabase.execute(database,
                    "CREATE TRIGGER disk_full BEFORE INSERT ON messages FOR EACH ROW EXECUTE FUNCTION disk_full()");

            Response refused = api.sendMessage(alice, conversation, "while the disk is full");
            assertThat(refused.status()).as(refused.body()).isEqualTo(503);
            assertThat(refused.errorCode()).isEqualTo("unavailable");
            assertThat(refused.header("Retry-After")).isNotNull();
            Response history = api.get("/v1/conversations/" + conversation + "/messages", bob.token());
            assertThat(history.status()).as("reads are served").isEqualTo(200);
            assertThat(history.json().path("messages")).hasSize(1);

            // enough failed requests for the error-rate alert (at least 20 in its window, over 1 % failed)
            for (int i = 0; i < 25; i++) {
                assertThat(api.sendMessage(bob, conversation, "still full " + i).errorCode()).isEqualTo("unavailable");
            }
            JsonNode alert = Alerts.awaitFiring(api, "CourierHighErrorRate");
            assertThat(alert).as("CourierHighErrorRate firing").isNotNull();
            assertThat(alert.path("summary").asText())
                    .contains("PostgreSQL refuses writes").contains("No space left on device").contains("53100");
            JsonNode unreachable = Alerts.firing(api, "CourierDatabaseUnreachable");
            assertThat(unreachable).as("the database answers: not unreachable").isNull();

            TestDatabase.execute(database, "DROP TRIGGER disk_full ON messages");
            assertThat(api.sendMessage(alice, conversation, "space is back").status()).isEqualTo(201);
        }
    }

    /** Reads {@code GET /v1/admin/alerts}. */
    private static final class Alerts {

        static JsonNode awaitFiring(ApiClient api, String name) throws InterruptedException {
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (System.nanoTime() < deadline) {
                JsonNode found = firing(api, name);
                if (found != null) {
                    return found;
                }
                Thread.sleep(100);
            }
            return null;
        }

        static JsonNode firing(ApiClient api, String name) {
            for (JsonNode a : api.get("/v1/admin/alerts", TestServer.ADMIN_TOKEN).json().path("alerts")) {
                if (a.path("name").asText().equals(name) && a.path("state").asText().equals("firing")) {
                    return a;
                }
            }
            return null;
        }
    }
}
