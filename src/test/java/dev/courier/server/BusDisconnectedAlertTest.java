package dev.courier.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.courier.config.CourierConfig;
import dev.courier.testing.ApiClient;
import dev.courier.testing.NatsServer;
import dev.courier.testing.TestDatabase;
import dev.courier.testing.TestServer;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The bus dies (the NATS server stopped) under a node: no request fails, the other nodes' messages reach its streams
 * only through the catch-up from the tables, and no alert used to say so. {@code CourierBusDisconnected} must fire
 * once the bus has been down a few seconds, name it, and resolve when the node is connected again; a restart that
 * reconnects within them raises nothing.
 */
class BusDisconnectedAlertTest {

    @Test
    void aNatsServerGoneForMoreThanFiveSecondsFiresNamingTheBusAndResolvesWhenItIsBack() throws Exception {
        try (NatsServer nats = NatsServer.start()) {
            CourierConfig config = TestServer.defaultConfig(TestDatabase.freshDatabase())
                    .withAlerts(LeakIncidentTest.FAST);
            config = config.withStream(config.stream().withBus(nats.url()));
            try (TestServer server = TestServer.start(config)) {
                ApiClient api = server.client();

                nats.restart();
                Thread.sleep(3_000);
                assertThat(named(api, "CourierBusDisconnected")).as("a restart the client rides out").isEmpty();

                nats.stop();
                Instant stoppedAt = Instant.now();
                LeakIncidentTest.Alert alert = LeakIncidentTest.awaitFiring(api, "CourierBusDisconnected",
                        Duration.ofSeconds(20)).orElseThrow(() -> new AssertionError("no bus alert within 20 s"));
                Duration detection = Duration.between(stoppedAt, alert.startsAt());
                System.out.printf("NATS stopped -> CourierBusDisconnected firing: %d ms%n", detection.toMillis());
                assertThat(detection).as("after its 5 s hold, not before").isGreaterThanOrEqualTo(Duration.ofSeconds(4));
                assertThat(alert.json().path("summary").asText())
                        .startsWith("the bus (" + nats.url() + ") has been disconnected for ");
                assertThat(alert.json().path("labels").path("bus").asText()).isEqualTo("nats");
                assertThat(alert.json().path("severity").asText()).isEqualTo("warning");
                assertThat(alert.json().path("runbook").asText()).isEqualTo("docs/runbooks/CourierBusDisconnected.md");
                assertThat(named(api, "CourierDatabaseUnreachable")).as("the database is fine").isEmpty();

                nats.startProcess();
                JsonNode resolved = awaitState(api, "CourierBusDisconnected", "resolved", Duration.ofSeconds(20));
                assertThat(resolved.path("endsAt").asText()).isNotEmpty();
            }
        }
    }

    private static Optional<JsonNode> named(ApiClient api, String name) {
        for (JsonNode a : api.get("/v1/admin/alerts", TestServer.ADMIN_TOKEN).json().path("alerts")) {
            if (a.path("name").asText().equals(name)) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }

    private static JsonNode awaitState(ApiClient api, String name, String state, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            Optional<JsonNode> alert = named(api, name);
            if (alert.isPresent() && alert.get().path("state").asText().equals(state)) {
                return alert.get();
            }
            Thread.sleep(100);
        }
        throw new AssertionError(name + " not " + state + " within " + timeout + ": " + named(api, name));
    }
}
