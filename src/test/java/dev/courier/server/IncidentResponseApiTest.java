package dev.courier.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.courier.db.Database;
import dev.courier.ops.alerts.Alert;
import dev.courier.testing.ApiClient;
import dev.courier.testing.ApiClient.Response;
import dev.courier.testing.Concurrently;
import dev.courier.testing.TestServer;
import dev.courier.testing.WebhookReceiver;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * People work an incident through the admin API: one real incident (a connection held past the leak threshold) is
 * acknowledged by two people at once, annotated, refused a close while its alert fires, and closed once it clears;
 * the status update reaches the alert webhook and the postmortem carries what people wrote. The tests run in order
 * on that one incident, as its life runs.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class IncidentResponseApiTest {

    private static final String ADMIN = TestServer.ADMIN_TOKEN;
    private static WebhookReceiver webhook;
    private static TestServer server;
    private static ApiClient api;
    private static final CountDownLatch release = new CountDownLatch(1);
    private static Thread leaker;
    private static long id;

    @BeforeAll
    static void openAnIncident() throws Exception {
        webhook = WebhookReceiver.start();
        server = TestServer.start(cfg -> cfg.withAlerts(LeakIncidentTest.FAST.withWebhooks(List.of(webhook.uri()))));
        api = server.client();
        Database database = server.server().database();
        leaker = Thread.ofPlatform().start(() -> database.withHandle("drill.slowReport", h -> {
            try {
                release.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return null;
        }));
        LeakIncidentTest.awaitFiring(api, "CourierLeakSuspected", Duration.ofSeconds(30))
                .orElseThrow(() -> new AssertionError("no leak alert"));
        assertThat(server.server().observability().incidents().flush(Duration.ofSeconds(10))).isTrue();
        id = api.get("/v1/admin/incidents", ADMIN).json().path("incidents").get(0).path("id").asLong();
    }

    @AfterAll
    static void stop() throws InterruptedException {
        release.countDown();
        leaker.join(10_000);
        server.close();
        webhook.close();
    }

    @Test
    @Order(1)
    void anIncidentWhoseAlertStillFiresCannotBeResolved() {
        Response refused = api.post(path("/resolve"), ADMIN, Map.of("by", "alice", "summary", "looks fine to me"));

        assertThat(refused.status()).as(refused.toString()).isEqualTo(409);
        assertThat(refused.errorCode()).isEqualTo("conflict");
        assertThat(refused.json().path("error").path("message").asText()).contains("CourierLeakSuspected");
        JsonNode incident = api.get(path(""), ADMIN).json();
        assertThat(incident.path("state").asText()).isEqualTo("open");
        assertThat(incident.path("resolvedBy").isNull()).isTrue();
    }

    @Test
    @Order(2)
    void twoPeopleAcknowledgingAtOnceBothSeeTheSameOneWin() throws Exception {
        List<Response> answers = Concurrently.run(2, i -> api.post(path("/acknowledge"), ADMIN,
                Map.of("by", i == 0 ? "alice" : "bob")));

        assertThat(answers).extracting(Response::status).containsOnly(200);
        String winner = answers.getFirst().json().path("acknowledgedBy").asText();
        assertThat(winner).isIn("alice", "bob");
        assertThat(answers).extracting(r -> r.json().path("acknowledgedBy").asText()).containsOnly(winner);
        assertThat(answers).extracting(r -> r.json().path("acknowledgedAt").asText()).doesNotContain("null", "");
        assertThat(kinds(answers.getLast().json())).filteredOn("acknowledged"::equals).hasSize(1);

        Response again = api.post(path("/acknowledge"), ADMIN, Map.of("by", "carol"));
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.json().path("acknowledgedBy").asText()).as("acknowledging again changes nothing")
                .isEqualTo(winner);
        assertThat(again.json().path("acknowledgedAt")).isEqualTo(answers.getFirst().json().path("acknowledgedAt"));
    }

    @Test
    @Order(3)
    void theAcknowledgedIncidentsFiringAlertsAreNoLongerPostedAgain() {
        List<Alert> firing = server.server().observability().alerts().firing();
        assertThat(firing).extracting(Alert::name).contains("CourierLeakSuspected");
        assertThat(firing).filteredOn(a -> a.name().equals("CourierLeakSuspected"))
                .allMatch(server.server().observability().incidents()::acknowledgedAlert);
    }

    @Test
    @Order(4)
    void aStatusUpdateIsATimelineEntryAndAnAnnotationOnTheAlertWebhook() throws InterruptedException {
        String status = "Investigating: drill.slowReport holds a connection; export paused";

        Response posted = api.post(path("/notes"), ADMIN, Map.of("by", "alice", "kind", "status", "text", status));

        assertThat(posted.status()).as(posted.toString()).isEqualTo(201);
        assertThat(posted.json().path("kind").asText()).isEqualTo("status");
        assertThat(posted.json().path("summary").asText()).isEqualTo(status);
        assertThat(posted.json().path("data").path("by").asText()).isEqualTo("alice");
        assertThat(Instant.parse(posted.json().path("at").asText())).isBeforeOrEqualTo(Instant.now());
        // written by a request, so the entry names that request's trace (the answer's traceparent)
        assertThat(posted.header("traceparent")).contains("-" + posted.json().path("traceId").asText() + "-");
        JsonNode annotated = webhook.await(a -> status.equals(a.path("annotations").path("incident_status").asText()),
                Duration.ofSeconds(10)).orElseThrow(() -> new AssertionError("no status annotation posted: "
                + webhook.alerts()));
        assertThat(annotated.path("labels").path("alertname").asText()).isEqualTo("CourierLeakSuspected");
        assertThat(annotated.path("annotations").path("incident_status_by").asText()).isEqualTo("alice");
        assertThat(annotated.path("annotations").path("incident_id").asText()).isEqualTo(String.valueOf(id));
        assertThat(annotated.path("annotations").path("summary").asText()).contains("drill.slowReport");
        assertThat(Instant.parse(annotated.path("endsAt").asText())).as("still firing").isAfter(Instant.now());
    }

    @Test
    @Order(5)
    void notesAndActionsGoOnTheTimelineSignedByTheirAuthor() {
        assertThat(api.post(path("/notes"), ADMIN, Map.of("by", "bob", "kind", "note",
                "text", "pool shows one lease held by drill.slowReport")).status()).isEqualTo(201);
        assertThat(api.post(path("/notes"), ADMIN, Map.of("by", "bob", "kind", "action",
                "text", "stopped the nightly export")).status()).isEqualTo(201);

        JsonNode timeline = api.get(path(""), ADMIN).json().path("timeline");
        List<String> people = StreamSupport.stream(timeline.spliterator(), false)
                .filter(e -> e.path("data").has("by"))
                .map(e -> e.path("kind").asText() + " " + e.path("data").path("by").asText() + ": "
                        + e.path("summary").asText()).toList();
        assertThat(people).contains("note bob: pool shows one lease held by drill.slowReport",
                "action bob: stopped the nightly export");
    }

    @Test
    @Order(6)
    void badNotesAreRefusedNamingTheField() {
        assertInvalid(api.post(path("/notes"), ADMIN, Map.of("by", "bob", "kind", "rumour", "text", "x")), "kind");
        assertInvalid(api.post(path("/notes"), ADMIN, Map.of("kind", "note", "text", "x")), "by");
        assertInvalid(api.post(path("/notes"), ADMIN, Map.of("by", " ", "kind", "note", "text", "x")), "by");
        assertInvalid(api.post(path("/notes"), ADMIN, Map.of("by", "bob", "kind", "note")), "text");
        assertInvalid(api.post(path("/notes"), ADMIN, Map.of("by", "bob", "kind", "note", "text", "x".repeat(4_001))),
                "text");
        assertInvalid(api.post(path("/notes"), ADMIN, Map.of("by", "b".repeat(101), "kind", "note", "text", "x")),
                "by");
        assertInvalid(api.post(path("/acknowledge"), ADMIN, Map.of()), "by");
        assertInvalid(api.post(path("/resolve"), ADMIN, Map.of("by", "bob")), "summary");
        assertInvalid(api.patch(path(""), ADMIN, Map.of("correctiveActions", List.of("fix it", ""))),
                "correctiveActions");
        assertInvalid(api.patch(path(""), ADMIN, Map.of("rootCause", "r".repeat(20_001))), "rootCause");
    }

    @Test
    @Order(7)
    void anUnknownIncidentIsNotFoundAndTheRoutesNeedTheAdminToken() {
        long unknown = id + 1_000;
        Map<String, Object> note = Map.of("by", "bob", "kind", "note", "text", "x");
        assertThat(api.post("/v1/admin/incidents/" + unknown + "/acknowledge", ADMIN, Map.of("by", "bob")).status())
                .isEqualTo(404);
        assertThat(api.post("/v1/admin/incidents/" + unknown + "/notes", ADMIN, note).status()).isEqualTo(404);
        assertThat(api.post("/v1/admin/incidents/" + unknown + "/resolve", ADMIN,
                Map.of("by", "bob", "summary", "s")).status()).isEqualTo(404);
        assertThat(api.patch("/v1/admin/incidents/" + unknown, ADMIN, Map.of("lessons", "l")).status())
                .isEqualTo(404);
        assertThat(api.post(path("/notes"), null, note).status()).isEqualTo(401);
        assertThat(api.post(path("/notes"), api.newUser("nosy").token(), note).status()).isEqualTo(401);
    }

    @Test
    @Order(8)
    void theRootCauseLessonsAndCorrectiveActionsAreSetAndLeftAloneWhenNotGiven() {
        Response first = api.patch(path(""), ADMIN, Map.of("rootCause", "drill.slowReport kept its connection",
                "correctiveActions", List.of("return the connection in drill.slowReport", "alert on hold time")));
        assertThat(first.status()).as(first.toString()).isEqualTo(200);

        Response second = api.patch(path(""), ADMIN, Map.of("lessons", "a held lease is visible in /v1/admin/pool"));

        assertThat(second.status()).isEqualTo(200);
        JsonNode incident = second.json();
        assertThat(incident.path("rootCause").asText()).isEqualTo("drill.slowReport kept its connection");
        assertThat(incident.path("lessons").asText()).isEqualTo("a held lease is visible in /v1/admin/pool");
        assertThat(incident.path("correctiveActions")).extracting(JsonNode::asText)
                .containsExactly("return the connection in drill.slowReport", "alert on hold time");
    }

    @Test
    @Order(9)
    void onceItsAlertsClearAPersonClosesTheIncidentAndThePostmortemCarriesWhatPeopleWrote() throws Exception {
        release.countDown();
        leaker.join(10_000);
        LeakIncidentTest.awaitResolvedIncident(api, Duration.ofSeconds(40));

        Response closed = api.post(path("/resolve"), ADMIN, Map.of("by", "alice",
                "summary", "connection returned; export fixed"));

        assertThat(closed.status()).as(closed.toString()).isEqualTo(200);
        assertThat(closed.json().path("state").asText()).isEqualTo("resolved");
        assertThat(closed.json().path("resolvedBy").asText()).isEqualTo("alice");
        assertThat(closed.json().path("resolutionSummary").asText()).isEqualTo("connection returned; export fixed");
        JsonNode byPerson = StreamSupport.stream(closed.json().path("timeline").spliterator(), false)
                .filter(e -> e.path("kind").asText().equals("resolved") && e.path("data").has("by")).findFirst()
                .orElseThrow(() -> new AssertionError("no resolution by a person: " + closed.json()));
        assertThat(byPerson.path("data").path("by").asText()).isEqualTo("alice");

        Response again = api.post(path("/resolve"), ADMIN, Map.of("by", "bob", "summary", "me too"));
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.json().path("resolvedBy").asText()).as("closing again changes nothing").isEqualTo("alice");

        String postmortem = api.get(path("/postmortem"), ADMIN).body();
        System.out.println(postmortem);
        assertThat(postmortem).startsWith("# Postmortem: incident " + id)
                .contains("- **Root cause:** drill.slowReport kept its connection",
                        "- **Courier's reading of the evidence:** Database connections leaked at call site "
                                + "`drill.slowReport`",
                        "acknowledged by " + closed.json().path("acknowledgedBy").asText(),
                        "1 status update, the first", "closed by alice",
                        "**status** (alice) — Investigating: drill.slowReport holds a connection",
                        "**note** (bob) — pool shows one lease held by drill.slowReport",
                        "**action** (bob) — stopped the nightly export",
                        "**resolved** (alice) — connection returned; export fixed",
                        "## Lessons\n\na held lease is visible in /v1/admin/pool",
                        "- [ ] return the connection in drill.slowReport\n- [ ] alert on hold time\n",
                        "Suggested by Courier from the evidence:",
                        "alice closed the incident: connection returned; export fixed");
    }

    private static void assertInvalid(Response answer, String field) {
        assertThat(answer.status()).as(answer.toString()).isEqualTo(400);
        assertThat(answer.errorCode()).isEqualTo("validation_failed");
        assertThat(answer.json().path("error").path("field").asText()).as(answer.toString()).isEqualTo(field);
    }

    private static List<String> kinds(JsonNode incident) {
        return StreamSupport.stream(incident.path("timeline").spliterator(), false)
                .map(e -> e.path("kind").asText()).toList();
    }

    private static String path(String rest) {
        return "/v1/admin/incidents/" + id + rest;
    }
}
