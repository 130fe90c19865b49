package dev.courier.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.courier.testing.ApiClient;
import dev.courier.testing.ApiClient.TestUser;
import dev.courier.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;

/**
 * A database outage: the embedded PostgreSQL stops under a running server. The alert must fire within 10 s, the
 * incident opened while the database is away must be kept in memory and stored once it answers again, and readiness
 * must say which check is down.
 */
class DatabaseOutageAlertTest {

    @Test
    void anOutageAlertsWithinTenSecondsAndItsIncidentIsStoredWhenTheDatabaseReturns() throws Exception {
        Path dataDir = Files.createTempDirectory("courier-outage");
        try (TestServer server = TestServer.start(TestServer.embeddedConfig(dataDir)
                .withAlerts(LeakIncidentTest.FAST))) {
            ApiClient api = server.client();
            TestUser alice = api.newUser("outage");
            TestUser bob = api.newUser("outage");
            long conversation = api.direct(alice, bob);
            assertThat(api.sendMessage(alice, conversation, "before").status()).isEqualTo(201);

            Instant onset = Instant.now();
            server.server().embedded().suspend();
            LeakIncidentTest.Alert alert = LeakIncidentTest.awaitFiring(api, "CourierDatabaseUnreachable",
                    Duration.ofSeconds(30)).orElseThrow(() -> new AssertionError("no outage alert within 30 s"));
            Duration detection = Duration.between(onset, alert.startsAt());
            System.out.printf("database stopped -> CourierDatabaseUnreachable firing: %d ms%n", detection.toMillis());
            assertThat(detection).isLessThanOrEqualTo(Duration.ofSeconds(10));
            assertThat(alert.json().path("severity").asText()).isEqualTo("critical");
            assertThat(alert.json().path("runbook").asText()).isEqualTo("docs/runbooks/CourierDatabaseUnreachable.md");

            ApiClient.Response failed = api.sendMessage(alice, conversation, "during");
            assertThat(failed.status()).isEqualTo(503);
            ApiClient.Response ready = api.get("/health/ready", null);
            assertThat(ready.status()).isEqualTo(503);
            assertThat(ready.json().path("checks").path("database").path("status").asText()).isEqualTo("down");

            server.server().embedded().resume();
            JsonNode incident = LeakIncidentTest.awaitResolvedIncident(api, Duration.ofSeconds(60));
            JsonNode detail = api.get("/v1/admin/incidents/" + incident.path("id").asLong(), TestServer.ADMIN_TOKEN)
                    .json();
            List<String> kinds = StreamSupport.stream(detail.path("timeline").spliterator(), false)
                    .map(e -> e.path("kind").asText() + ":" + e.path("data").path("alert").asText()).toList();
            assertThat(kinds).contains("alert_firing:CourierDatabaseUnreachable",
                    "alert_resolved:CourierDatabaseUnreachable");
            assertThat(detail.path("impact").path("failedRequests").asLong()).isPositive();
            assertThat(detail.path("impact").path("affectedUsers").asInt())
                    .as("alice's failed send is hers, although it failed before authentication").isEqualTo(1);
            String postmortem = api.get("/v1/admin/incidents/" + incident.path("id").asLong() + "/postmortem",
                    TestServer.ADMIN_TOKEN).body();
            assertThat(postmortem).contains("PostgreSQL could not be reached");
            assertThat(api.sendMessage(alice, conversation, "after").status()).isEqualTo(201);
        }
    }
}
