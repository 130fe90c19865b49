package dev.courier.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.courier.testing.ApiClient;
import dev.courier.testing.ApiClient.TestUser;
import dev.courier.testing.NodeProcess;
import dev.courier.testing.TestDatabase;
import dev.courier.testing.TestServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * A node frozen with SIGSTOP (bench/faults.sh scenario e) while a send holds a database connection inside its
 * statement. After SIGCONT that connection looks held for the whole freeze, past the 2 s leak threshold, which read as
 * "saturation, waiting for PostgreSQL" and sent people to the database. The node must name the pause instead
 * ({@code CourierProcessPaused}, {@code courier_process_pause_seconds}) and count no saturation and no leak for it.
 */
class ProcessPauseAlertTest {

    private static final Duration FROZEN = Duration.ofSeconds(6);

    @Test
    void aNodeFrozenWhileASendHoldsItsConnectionNamesThePauseAndBlamesNeitherTheDatabaseNorALeak() throws Exception {
        String database = TestDatabase.freshDatabase().jdbcUrl();
        try (NodeProcess node = NodeProcess.start(database, "--rate-limits", "off", "--enable-fault-injection",
                "--admin-token", TestServer.ADMIN_TOKEN)) {
            ApiClient api = new ApiClient(node.baseUrl());
            TestUser alice = api.newUser("paused");
            TestUser bob = api.newUser("paused");
            long conversation = api.direct(alice, bob);
            // every statement takes a second: the send below holds its connection inside a statement when the node stops
            assertThat(api.put("/v1/admin/faults", TestServer.ADMIN_TOKEN, Map.of("queryLatencyMs", 1_000)).status())
                    .isEqualTo(200);
            CompletableFuture<Integer> send = CompletableFuture.supplyAsync(
                    () -> api.sendMessage(alice, conversation, "across the pause").status());
            Thread.sleep(400);
            node.signal("STOP");
            try {
                Thread.sleep(FROZEN.toMillis());
            } finally {
                node.signal("CONT");
            }
            assertThat(send.get()).as("the send finishes once the node runs again").isEqualTo(201);
            api.put("/v1/admin/faults", TestServer.ADMIN_TOKEN, Map.of("queryLatencyMs", 0));

            LeakIncidentTest.Alert paused = LeakIncidentTest.awaitFiring(api, "CourierProcessPaused",
                    Duration.ofSeconds(10)).orElseThrow(() -> new AssertionError("no pause alert: " + alerts(api)));
            assertThat(paused.json().path("summary").asText()).matches("this process was paused for [5-9]\\.\\d s, "
                    + "until \\d\\d:\\d\\d:\\d\\d UTC: not scheduled at all .*");
            assertThat(paused.json().path("runbook").asText()).isEqualTo("docs/runbooks/CourierProcessPaused.md");
            assertThat(api.metric("courier_process_pause_seconds_count")).isEqualTo(1.0);
            assertThat(api.metric("courier_process_pause_seconds_max")).isBetween(5.0, 9.0);

            Thread.sleep(2_000);   // two more sweeps and evaluations: nothing else may turn up
            assertThat(alerts(api)).as("the pause is the cause, not the database or a leak")
                    .doesNotContain("CourierSaturated", "CourierLeakSuspected", "CourierLeakReclaimed",
                            "CourierDatabaseUnreachable", "CourierAcquisitionTimeouts");
            assertThat(api.metric("courier_db_pool_slow_holds_total")).isZero();
            assertThat(api.metric("courier_db_pool_leaks_suspected_total")).isZero();
        }
    }

    private static List<String> alerts(ApiClient api) {
        List<String> names = new ArrayList<>();
        for (JsonNode a : api.get("/v1/admin/alerts", TestServer.ADMIN_TOKEN).json().path("alerts")) {
            names.add(a.path("name").asText());
        }
        return names;
    }
}
