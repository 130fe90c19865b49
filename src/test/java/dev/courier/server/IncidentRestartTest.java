package dev.courier.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.courier.config.CourierConfig;
import dev.courier.db.Database;
import dev.courier.testing.TestDatabase;
import dev.courier.testing.TestServer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;

/** A node that stops during an incident continues it after a restart, and says so in the timeline. */
class IncidentRestartTest {

    @Test
    void aRestartDuringAnOpenIncidentIsRecordedInItsTimeline() throws Exception {
        CourierConfig config = TestServer.defaultConfig(TestDatabase.freshDatabase())
                .withAlerts(LeakIncidentTest.FAST);
        CountDownLatch release = new CountDownLatch(1);
        long incidentId;
        Thread leaker;
        try (TestServer first = TestServer.start(config)) {
            Database database = first.server().database();
            leaker = Thread.ofPlatform().start(() -> database.withHandle("drill.slowReport", h -> {
                try {
                    release.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return null;
            }));
            LeakIncidentTest.awaitFiring(first.client(), "CourierLeakSuspected", Duration.ofSeconds(20))
                    .orElseThrow(() -> new AssertionError("no leak alert"));
            assertThat(first.server().observability().incidents().flush(Duration.ofSeconds(10))).isTrue();
            JsonNode open = first.client().get("/v1/admin/incidents", TestServer.ADMIN_TOKEN).json()
                    .path("incidents").get(0);
            assertThat(open.path("state").asText()).isEqualTo("open");
            incidentId = open.path("id").asLong();
        } finally {
            // the node stops while the connection is still held: the incident is open when it goes down
            release.countDown();
        }
        leaker.join(10_000);

        try (TestServer second = TestServer.start(config)) {
            assertThat(second.server().observability().incidents().flush(Duration.ofSeconds(10))).isTrue();
            JsonNode detail = second.client().get("/v1/admin/incidents/" + incidentId, TestServer.ADMIN_TOKEN)
                    .json();
            List<String> entries = StreamSupport.stream(detail.path("timeline").spliterator(), false)
                    .map(e -> e.path("kind").asText() + ": " + e.path("summary").asText()).toList();
            assertThat(entries).anyMatch(e -> e.startsWith("leak_call_site: drill.slowReport"))
                    .contains("restart: Courier restarted while this incident was open");
            assertThat(detail.path("state").asText()).isEqualTo("open");
            assertThat(second.server().observability().incidents().isOpen()).isTrue();
        }
    }
}
