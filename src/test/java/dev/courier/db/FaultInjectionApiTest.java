package dev.courier.db;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.courier.testing.ApiClient;
import dev.courier.testing.ApiClient.Response;
import dev.courier.testing.TestServer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code /v1/admin/faults} and {@code /v1/admin/pool} as the contract describes them. */
class FaultInjectionApiTest {

    @Test
    void faultsDoNotExistWithoutTheServeFlag() {
        try (TestServer server = TestServer.start()) {
            Response r = server.client().get("/v1/admin/faults", TestServer.ADMIN_TOKEN);
            assertThat(r.status()).isEqualTo(404);
            assertThat(r.errorCode()).isEqualTo("not_found");
        }
    }

    @Test
    void faultsAreReadValidatedChangedAndAnnouncedWithTheFlagAndTheAdminToken() {
        try (TestServer server = TestServer.start(cfg -> cfg.withFaultInjection(true))) {
            ApiClient api = server.client();
            List<FaultInjection.Change> changes = new ArrayList<>();
            server.server().faults().orElseThrow().addListener(changes::add);

            assertThat(api.get("/v1/admin/faults", null).status()).isEqualTo(401);
            assertThat(api.get("/v1/admin/faults", api.newUser().token()).status()).isEqualTo(401);
            Response initial = api.get("/v1/admin/faults", TestServer.ADMIN_TOKEN);
            assertThat(initial.status()).isEqualTo(200);
            assertThat(initial.json().toString())
                    .isEqualTo("{\"leakRate\":0.0,\"queryLatencyMs\":0,\"databaseDown\":false}");

            assertInvalid(api.put("/v1/admin/faults", TestServer.ADMIN_TOKEN, Map.of("leakRate", 1.5)), "leakRate");
            assertInvalid(api.put("/v1/admin/faults", TestServer.ADMIN_TOKEN, Map.of("leakRate", -0.1)), "leakRate");
            assertInvalid(api.put("/v1/admin/faults", TestServer.ADMIN_TOKEN, Map.of("queryLatencyMs", -1)),
                    "queryLatencyMs");
            assertInvalid(api.put("/v1/admin/faults", TestServer.ADMIN_TOKEN, Map.of("queryLatencyMs", 600_000)),
                    "queryLatencyMs");
            Response wrongType = api.put("/v1/admin/faults", TestServer.ADMIN_TOKEN, Map.of("databaseDown", "yes"));
            assertThat(wrongType.status()).isEqualTo(400);
            assertThat(wrongType.errorCode()).isEqualTo("malformed_json");
            assertThat(api.put("/v1/admin/faults", TestServer.ADMIN_TOKEN, "{not json").errorCode())
                    .isEqualTo("malformed_json");
            assertThat(changes).isEmpty();

            Response changed = api.put("/v1/admin/faults", TestServer.ADMIN_TOKEN,
                    Map.of("leakRate", 0.25, "queryLatencyMs", 5));
            assertThat(changed.status()).isEqualTo(200);
            assertThat(changed.json().toString())
                    .isEqualTo("{\"leakRate\":0.25,\"queryLatencyMs\":5,\"databaseDown\":false}");
            assertThat(api.get("/v1/admin/faults", TestServer.ADMIN_TOKEN).json()).isEqualTo(changed.json());
            assertThat(changes).singleElement().satisfies(c -> {
                assertThat(c.before()).isEqualTo(FaultInjection.Faults.NONE);
                assertThat(c.after().leakRate()).isEqualTo(0.25);
            });
        }
    }

    @Test
    void thePoolViewNamesWhoHoldsAConnection() throws Exception {
        try (TestServer server = TestServer.start(cfg -> cfg.withFaultInjection(true))) {
            ApiClient api = server.client();
            var user = api.newUser();
            assertThat(api.put("/v1/admin/faults", TestServer.ADMIN_TOKEN, Map.of("queryLatencyMs", 1_500)).status())
                    .isEqualTo(200);
            Thread slow = Thread.ofVirtual().start(() -> api.get("/v1/me", user.token()));
            Response pool;
            long deadline = System.nanoTime() + 10_000_000_000L;
            // the server's own background work (health probes, heartbeats) holds connections too: find the request's
            JsonNode lease;
            do {
                pool = api.get("/v1/admin/pool", TestServer.ADMIN_TOKEN);
                lease = leaseOf(pool, "sessions.authenticate");
            } while (lease == null && System.nanoTime() < deadline);
            slow.join(10_000);
            assertThat(pool.status()).isEqualTo(200);
            assertThat(pool.json().path("max").asInt()).isEqualTo(8);
            assertThat(pool.json().has("active") && pool.json().has("idle") && pool.json().has("pending")
                    && pool.json().has("suspectedLeaks") && pool.json().has("reclaimedLeaks")).isTrue();
            assertThat(lease).as("the slow request's lease, by its call site").isNotNull();
            assertThat(lease.path("heldMs").isIntegralNumber()).isTrue();
            assertThat(lease.path("thread").asText()).isNotEmpty();
        }
    }

    private static JsonNode leaseOf(Response pool, String callSite) {
        for (JsonNode lease : pool.json().path("leases")) {
            if (lease.path("callSite").asText().equals(callSite)) {
                return lease;
            }
        }
        return null;
    }

    @Test
    void theOutageSwitchOnAnExternalDatabaseClosesTheGateUntilSwitchedBack() throws Exception {
        try (TestServer server = TestServer.start(cfg -> cfg.withFaultInjection(true))) {
            ApiClient api = server.client();
            var user = api.newUser();
            List<PoolEvent> events = new java.util.concurrent.CopyOnWriteArrayList<>();
            server.server().database().addListener(events::add);

            assertThat(api.put("/v1/admin/faults", TestServer.ADMIN_TOKEN, Map.of("databaseDown", true)).status())
                    .isEqualTo(200);
            long start = System.nanoTime();
            Response refused = api.get("/v1/me", user.token());
            long refusedMillis = (System.nanoTime() - start) / 1_000_000;
            assertThat(refused.status()).isEqualTo(503);
            assertThat(refused.errorCode()).isEqualTo("unavailable");
            assertThat(refused.header("Retry-After")).isNotNull();
            Response ready = api.get("/health/ready", null);
            assertThat(ready.status()).isEqualTo(503);
            assertThat(ready.json().path("checks").path("database").path("detail").asText())
                    .contains("switched off by fault injection");

            assertThat(api.put("/v1/admin/faults", TestServer.ADMIN_TOKEN, Map.of("databaseDown", false)).status())
                    .isEqualTo(200);
            DatabaseOutageTest.awaitReadiness(api, 200);
            assertThat(api.get("/v1/me", user.token()).status()).isEqualTo(200);
            assertThat(events).hasAtLeastOneElementOfType(PoolEvent.DatabaseUnreachable.class)
                    .hasAtLeastOneElementOfType(PoolEvent.DatabaseReachable.class);
            assertThat(refusedMillis).isLessThan(2_000);
        }
    }

    private static void assertInvalid(Response r, String field) {
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.errorCode()).isEqualTo("validation_failed");
        assertThat(r.json().path("error").path("field").asText()).isEqualTo(field);
    }
}
