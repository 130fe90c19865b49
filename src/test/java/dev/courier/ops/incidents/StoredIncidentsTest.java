package dev.courier.ops.incidents;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.courier.testing.ApiClient;
import dev.courier.testing.TestServer;
import dev.courier.web.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Incidents already in the database read back as they were stored. Each fixture under {@code stored/} is an incident
 * row and its {@code incident_events} rows in the shape Courier writes them, one per root cause the postmortem tells
 * apart (and a kind this version does not know); next to it is the postmortem draft those rows give. Whatever
 * models a timeline entry in memory, the admin API must show the rows unchanged and the draft must stay the same.
 */
class StoredIncidentsTest {

    private static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"leak", "database-down", "fault", "saturation", "undetermined"})
    void theAdminApiShowsEveryStoredTimelineEntryAsItWasStored(String fixture) {
        JsonNode stored = fixture(fixture);
        long id = insert(stored);

        ApiClient.Response shown = server.client().get("/v1/admin/incidents/" + id, TestServer.ADMIN_TOKEN);

        assertThat(shown.status()).isEqualTo(200);
        assertThat(shown.json().path("timeline")).isEqualTo(stored.path("timeline"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"leak", "database-down", "fault", "saturation", "undetermined"})
    void thePostmortemDraftOfAStoredIncidentIsTheOnePinnedBesideIt(String fixture) {
        long id = insert(fixture(fixture));

        ApiClient.Response draft = server.client().get("/v1/admin/incidents/" + id + "/postmortem",
                TestServer.ADMIN_TOKEN);

        assertThat(draft.status()).isEqualTo(200);
        assertThat(draft.body()).isEqualTo(resource(fixture + ".md").replace("INCIDENT_ID", String.valueOf(id)));
    }

    @Test
    void aNodeThatAdoptsAnIncidentAfterARestartDoesNotResetItsUsers() {
        JsonNode stored = fixture("leak");
        long id = insert(stored);

        // the adopting node continues the request counts but tells users apart afresh, from nobody
        server.server().database().withHandle("test.adoptedUpdate", h -> {
            new IncidentStore().update(h, id, Impact.of(90, stored.path("requests").asLong() + 10,
                    stored.path("failedRequests").asLong(), 3, 1), null, 0);
            return null;
        });

        JsonNode impact = server.client().get("/v1/admin/incidents/" + id, TestServer.ADMIN_TOKEN).json()
                .path("impact");
        assertThat(impact.path("requests").asLong()).isEqualTo(stored.path("requests").asLong() + 10);
        assertThat(impact.path("activeUsers").asInt()).isEqualTo(stored.path("activeUsers").asInt());
        assertThat(impact.path("affectedUsers").asInt()).isEqualTo(stored.path("affectedUsers").asInt());
    }

    /** Writes the fixture's rows with plain SQL, as an earlier version of Courier left them. */
    private static long insert(JsonNode incident) {
        long id = server.queryLong("INSERT INTO incidents (title, opened_at, resolved_at, requests, failed_requests, "
                + "active_users, affected_users, dropped_entries) VALUES (" + quoted(incident.path("title").asText())
                + ", " + quoted(incident.path("openedAt").asText()) + ", "
                + quoted(incident.path("resolvedAt").asText())
                + ", " + incident.path("requests").asLong() + ", " + incident.path("failedRequests").asLong() + ", "
                + incident.path("activeUsers").asInt() + ", " + incident.path("affectedUsers").asInt() + ", "
                + incident.path("droppedEntries").asInt() + ") RETURNING id");
        for (JsonNode entry : incident.path("timeline")) {
            server.execute("INSERT INTO incident_events (incident_id, at, kind, summary, data) VALUES (" + id + ", "
                    + quoted(entry.path("at").asText()) + ", " + quoted(entry.path("kind").asText()) + ", "
                    + quoted(entry.path("summary").asText()) + ", CAST(" + quoted(entry.path("data").toString())
                    + " AS jsonb))");
        }
        return id;
    }

    private static String quoted(String text) {
        return "$fixture$" + text + "$fixture$";
    }

    private static JsonNode fixture(String name) {
        try {
            return Json.mapper().readTree(resource(name + ".json"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String resource(String name) {
        try (InputStream in = StoredIncidentsTest.class.getResourceAsStream("stored/" + name)) {
            if (in == null) {
                throw new IllegalStateException("no fixture stored/" + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
