package dev.courier.db;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.testing.ApiClient;
import dev.courier.testing.ApiClient.TestUser;
import dev.courier.testing.TestServer;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A connection leaked by a request that has ended goes back to the pool, rolled back and reset, instead of being
 * thrown away: a leak with every request must not make the pool open a connection for each.
 */
class LeakReclaimReuseTest {

    private static final int REQUESTS = 40;

    @Test
    void aConnectionLeakedByAnEndedRequestIsResetAndReusedNotReplaced() throws Exception {
        try (TestServer server = TestServer.start(cfg -> cfg.withFaultInjection(true))) {
            ApiClient api = server.client();
            TestUser user = api.newUser("leaky");
            assertThat(api.get("/v1/me", user.token()).status()).isEqualTo(200);
            // The pool fills itself in the background after start: count only what it opens from here on.
            int size = api.get("/v1/admin/pool", TestServer.ADMIN_TOKEN).json().path("max").asInt();
            api.metricOnce("hikaricp_connections_creation_seconds_count", opened -> opened >= size,
                    Duration.ofSeconds(10));
            double reclaimedBefore = api.metric("courier_db_pool_leaks_reclaimed_total");
            double openedBefore = api.metric("hikaricp_connections_creation_seconds_count");
            assertThat(api.put("/v1/admin/faults", TestServer.ADMIN_TOKEN, Map.of("leakRate", 1.0)).status())
                    .isEqualTo(200);

            for (int i = 0; i < REQUESTS; i++) {
                assertThat(api.get("/v1/conversations", user.token()).status()).isEqualTo(200);
            }

            assertThat(api.put("/v1/admin/faults", TestServer.ADMIN_TOKEN, Map.of("leakRate", 0.0)).status())
                    .isEqualTo(200);
            assertThat(api.metric("courier_db_pool_leaks_reclaimed_total") - reclaimedBefore)
                    .as("every leak was taken back").isGreaterThanOrEqualTo(REQUESTS);
            assertThat(api.metric("hikaricp_connections_creation_seconds_count") - openedBefore)
                    .as("connections opened while %d were leaked and taken back", REQUESTS).isLessThan(5);
            assertThat(server.queryLong("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'courier' "
                    + "AND state = 'idle in transaction'")).as("no transaction left open").isZero();
        }
    }
}
