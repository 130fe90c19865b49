package dev.courier.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.courier.Courier;
import dev.courier.config.AlertConfig;
import dev.courier.db.Database;
import dev.courier.testing.ApiClient;
import dev.courier.testing.ApiClient.TestUser;
import dev.courier.testing.TestServer;
import dev.courier.testing.WebhookReceiver;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The leak drill end to end: under load, code at one call site borrows connections and keeps them until the pool
 * runs dry. Courier must alert within 10 s naming that call site (API and webhook), record one incident whose
 * timeline and postmortem name the call site and the measured impact, and resolve it once the connections return.
 */
class LeakIncidentTest {

    static final String LEAKING_CALL_SITE = "drill.leakyExport";
    /**
     * Short windows so that the drill resolves in seconds; the rules are the defaults otherwise, except the latency
     * objective: on a machine shared with other builds, slow requests before the leak would open an incident of their
     * own.
     */
    static final AlertConfig FAST = new AlertConfig(List.of(), Duration.ofSeconds(1), Duration.ofSeconds(2),
            Duration.ofSeconds(1), Duration.ofSeconds(3), Duration.ofSeconds(5), 0.01, Duration.ofSeconds(10), 0.99,
            20);

    @Test
    void aLeakUnderLoadIsNamedWithinTenSecondsAndBecomesOneIncidentWithItsImpact() throws Exception {
        try (WebhookReceiver webhook = WebhookReceiver.start();
             TestServer server = TestServer.start(cfg -> cfg.withAlerts(FAST.withWebhooks(List.of(webhook.uri()))))) {
            ApiClient api = server.client();
            List<TestUser> users = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                users.add(api.newUser("leak"));
            }
            long conversation = api.group(users.getFirst(), "drill", users.subList(1, users.size())
                    .toArray(TestUser[]::new));

            AtomicBoolean stopLoad = new AtomicBoolean();
            AtomicInteger failures = new AtomicInteger();
            List<Thread> load = new ArrayList<>();
            for (TestUser user : users) {
                load.add(Thread.ofVirtual().start(() -> {
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
                    while (!stopLoad.get() && System.nanoTime() < deadline) {
                        if (api.sendMessage(user, conversation, "hello from " + user.username()).status() >= 500) {
                            failures.incrementAndGet();
                        }
                        sleep(50);
                    }
                }));
            }
            Thread.sleep(1_500);
            assertThat(failures.get()).as("no failures before the leak").isZero();

            Database database = server.server().database();
            int poolSize = server.config().pool().maxSize();
            CountDownLatch release = new CountDownLatch(1);
            Instant onset = Instant.now();
            List<Thread> leakers = new ArrayList<>();
            for (int i = 0; i < poolSize; i++) {
                leakers.add(Thread.ofPlatform().name("leaky-export-" + i).start(() -> holdAConnection(database,
                        release)));
                Thread.sleep(100);
            }

            Alert alert = awaitFiring(api, "CourierLeakSuspected", Duration.ofSeconds(30)).orElseThrow(
                    () -> new AssertionError("no leak alert within 30 s"));
            Duration detection = Duration.between(onset, alert.startsAt);
            System.out.printf("leak onset -> CourierLeakSuspected firing: %d ms%n", detection.toMillis());
            assertThat(detection).isLessThanOrEqualTo(Duration.ofSeconds(10));
            assertThat(alert.json.path("summary").asText()).contains(LEAKING_CALL_SITE);
            assertThat(alert.json.path("labels").path("call_site").asText()).isEqualTo(LEAKING_CALL_SITE);
            assertThat(alert.json.path("runbook").asText()).isEqualTo("docs/runbooks/CourierLeakSuspected.md");
            assertThat(alert.json.path("severity").asText()).isEqualTo("critical");

            JsonNode posted = webhook.await(a -> a.path("labels").path("alertname").asText()
                    .equals("CourierLeakSuspected"), Duration.ofSeconds(10)).orElseThrow(
                    () -> new AssertionError("the webhook got no CourierLeakSuspected alert: " + webhook.alerts()));
            assertThat(posted.path("labels").path("call_site").asText()).isEqualTo(LEAKING_CALL_SITE);
            assertThat(posted.path("labels").path("severity").asText()).isEqualTo("critical");
            assertThat(posted.path("annotations").path("summary").asText()).contains(LEAKING_CALL_SITE);
            assertThat(posted.path("annotations").path("runbook_url").asText()).endsWith("CourierLeakSuspected.md");
            assertThat(Instant.parse(posted.path("startsAt").asText())).isEqualTo(alert.startsAt);
            assertThat(Instant.parse(posted.path("endsAt").asText())).isAfter(Instant.now());
            assertThat(posted.path("generatorURL").asText()).startsWith("http://");

            awaitFiring(api, "CourierPoolSaturated", Duration.ofSeconds(15)).orElseThrow(
                    () -> new AssertionError("the pool ran dry but CourierPoolSaturated did not fire"));
            Thread.sleep(1_000);
            assertThat(failures.get()).as("the dry pool answered some requests with 503").isPositive();

            release.countDown();
            for (Thread leaker : leakers) {
                leaker.join(10_000);
            }
            JsonNode incident = awaitResolvedIncident(api, Duration.ofSeconds(40));
            stopLoad.set(true);
            for (Thread t : load) {
                t.join(10_000);
            }
            assertThat(webhook.await(a -> a.path("labels").path("alertname").asText().equals("CourierLeakSuspected")
                    && Instant.parse(a.path("endsAt").asText()).isBefore(Instant.now()), Duration.ofSeconds(10)))
                    .as("the webhook is told that the leak alert resolved").isPresent();

            JsonNode list = api.get("/v1/admin/incidents", TestServer.ADMIN_TOKEN).json().path("incidents");
            assertThat(list.size()).as("one leak, one incident: " + list).isEqualTo(1);
            long id = incident.path("id").asLong();
            JsonNode detail = api.get("/v1/admin/incidents/" + id, TestServer.ADMIN_TOKEN).json();
            List<JsonNode> timeline = StreamSupport.stream(detail.path("timeline").spliterator(), false).toList();
            assertThat(timeline).extracting(e -> e.path("kind").asText())
                    .contains("alert_firing", "pool_snapshot", "leak_call_site", "alert_resolved", "resolved");
            JsonNode leak = timeline.stream().filter(e -> e.path("kind").asText().equals("leak_call_site"))
                    .findFirst().orElseThrow();
            assertThat(leak.path("data").path("callSite").asText()).isEqualTo(LEAKING_CALL_SITE);
            assertThat(leak.path("data").path("stack").toString()).contains("LeakIncidentTest.holdAConnection");

            JsonNode impact = detail.path("impact");
            System.out.println("incident impact: " + impact);
            assertThat(impact.path("failedRequests").asLong()).isPositive();
            assertThat(impact.path("requests").asLong()).isGreaterThan(impact.path("failedRequests").asLong());
            assertThat(impact.path("activeUsers").asInt()).isEqualTo(users.size());
            assertThat(impact.path("affectedUsers").asInt()).isBetween(1, users.size());
            assertThat(detail.path("state").asText()).isEqualTo("resolved");

            ApiClient.Response postmortem = api.get("/v1/admin/incidents/" + id + "/postmortem",
                    TestServer.ADMIN_TOKEN);
            assertThat(postmortem.status()).isEqualTo(200);
            assertThat(postmortem.header("Content-Type")).startsWith("text/markdown");
            assertThat(postmortem.body()).contains("## Issue Summary", "## Timeline", "## Root Cause and Resolution",
                    "## Corrective and Preventative Measures", "`" + LEAKING_CALL_SITE + "`",
                    impact.path("failedRequests").asLong() + " of " + impact.path("requests").asLong()
                            + " requests failed", "Do not raise the pool size", "CourierLeakSuspected at");
            System.out.println(postmortem.body());

            StringWriter out = new StringWriter();
            int exit = new CommandLine(new Courier()).setOut(new PrintWriter(out)).execute("postmortem",
                    String.valueOf(id), "--url", server.baseUrl(), "--admin-token", TestServer.ADMIN_TOKEN);
            assertThat(exit).isZero();
            assertThat(out.toString()).isEqualTo(postmortem.body());
        }
    }

    /** The leak: borrows a connection through the one door, then never gives it back until the drill ends. */
    private static void holdAConnection(Database database, CountDownLatch release) {
        database.withHandle(LEAKING_CALL_SITE, h -> {
            h.createQuery("SELECT 1").mapTo(Integer.class).one();
            try {
                release.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return null;
        });
    }

    record Alert(JsonNode json, Instant startsAt) {
    }

    static Optional<Alert> awaitFiring(ApiClient api, String name, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            for (JsonNode a : api.get("/v1/admin/alerts", TestServer.ADMIN_TOKEN).json().path("alerts")) {
                if (a.path("name").asText().equals(name) && a.path("state").asText().equals("firing")) {
                    return Optional.of(new Alert(a, Instant.parse(a.path("startsAt").asText())));
                }
            }
            Thread.sleep(100);
        }
        return Optional.empty();
    }

    static JsonNode awaitResolvedIncident(ApiClient api, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        ApiClient.Response last = null;
        while (System.nanoTime() < deadline) {
            last = api.get("/v1/admin/incidents", TestServer.ADMIN_TOKEN);
            if (last.status() == 200) {
                for (JsonNode incident : last.json().path("incidents")) {
                    if (incident.path("state").asText().equals("resolved")) {
                        return incident;
                    }
                }
            }
            Thread.sleep(250);
        }
        throw new AssertionError("no resolved incident within " + timeout + "; last answer: " + last);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
