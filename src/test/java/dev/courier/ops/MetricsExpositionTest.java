package dev.courier.ops;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.testing.ApiClient;
import dev.courier.testing.ApiClient.TestUser;
import dev.courier.testing.Promtool;
import dev.courier.testing.TestServer;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /metrics} after real traffic: Prometheus's own linter accepts it, the promised series are there, and
 * {@code name[]} narrows it to the named families.
 */
class MetricsExpositionTest {

    @Test
    void theScrapePassesPromtoolAndCarriesTheSeriesThatAlertsAndDashboardsUse() throws Exception {
        try (TestServer server = TestServer.start()) {
            ApiClient api = server.client();
            TestUser alice = api.newUser("metrics");
            TestUser bob = api.newUser("metrics");
            long conversation = api.direct(alice, bob);
            assertThat(api.sendMessage(alice, conversation, "counted").status()).isEqualTo(201);
            assertThat(api.get("/v1/me", "not-a-token").status()).isEqualTo(401);

            ApiClient.Response scrape = api.get("/metrics", null);
            assertThat(scrape.status()).isEqualTo(200);
            assertThat(scrape.header("Content-Type")).startsWith("text/plain; version=0.0.4");
            String text = scrape.body();
            assertThat(text).contains(
                    "courier_http_server_requests_seconds_bucket{",
                    "le=\"0.5\"",
                    "route=\"/v1/conversations/{id}/messages\"",
                    "courier_http_server_errors_total{code=\"unauthorized\"",
                    "courier_messages_stored_total 1.0",
                    "courier_db_pool_leaks_suspected_total",
                    "courier_db_pool_leaks_reclaimed_total",
                    "courier_db_pool_acquisition_timeouts_total",
                    "courier_db_pool_leases_overdue 0.0",
                    "courier_db_pool_leases_leaking 0.0",
                    "courier_db_pool_slow_holds_total{cause=\"cpu\"} 0.0",
                    "courier_db_pool_slow_holds_total{cause=\"database\"} 0.0",
                    "courier_db_reachable 1.0",
                    "courier_alerts_firing{alertname=\"CourierLeakSuspected\"}",
                    "courier_incidents_open 0.0",
                    "courier_db_connection_hold_seconds_bucket{call_site=\"messages.send\"",
                    "courier_session_cache_requests_total{result=\"hit\"}",
                    "courier_session_cache_requests_total{result=\"miss\"}",
                    "courier_session_cache_entries",
                    "hikaricp_connections_active",
                    "hikaricp_connections_pending",
                    "hikaricp_connections_max",
                    "jvm_memory_used_bytes",
                    "process_uptime_seconds");

            Path file = Files.createTempFile("courier-metrics", ".txt");
            Files.writeString(file, text);
            // promtool reads the exposition from stdin
            Promtool.Result lint = runWithStdin(file);
            assertThat(lint.exitCode()).as(lint.output()).isZero();
        }
    }

    @Test
    void aScrapeWithNameParametersWritesOnlyTheNamedFamilies() throws Exception {
        try (TestServer server = TestServer.start()) {
            ApiClient api = server.client();
            TestUser alice = api.newUser("filtered");
            TestUser bob = api.newUser("filtered");
            assertThat(api.sendMessage(alice, api.direct(alice, bob), "counted").status()).isEqualTo(201);

            // family names: a counter without _total, a histogram without _bucket/_count/_sum
            ApiClient.Response scrape = api.get("/metrics?" + names("hikaricp_connections_active",
                    "courier_messages_stored", "courier_db_connection_hold_seconds"), null);

            assertThat(scrape.status()).isEqualTo(200);
            assertThat(scrape.header("Content-Type")).startsWith("text/plain; version=0.0.4");
            assertThat(scrape.body()).contains(
                    "hikaricp_connections_active{",
                    "courier_messages_stored_total 1.0",
                    "courier_db_connection_hold_seconds_bucket{call_site=\"messages.send\"",
                    "courier_db_connection_hold_seconds_count{")
                    .doesNotContain(
                            "hikaricp_connections_idle",
                            "courier_db_connection_hold_seconds_max",
                            "courier_http_server_requests_seconds",
                            "jvm_memory_used_bytes");
            assertThat(api.get("/metrics?" + names("courier_messages_stored_total"), null).body())
                    .as("a counter asked for by its sample name").isEmpty();
        }
    }

    /** Prometheus's {@code name[]} parameters, encoded: brackets are not allowed raw in a URI's query. */
    private static String names(String... families) {
        return Arrays.stream(families).map(f -> URLEncoder.encode("name[]", StandardCharsets.UTF_8) + "=" + f)
                .collect(Collectors.joining("&"));
    }

    private static Promtool.Result runWithStdin(Path file) throws Exception {
        Process process = new ProcessBuilder(Promtool.require().toString(), "check", "metrics")
                .redirectInput(file.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        return new Promtool.Result(process.waitFor(), output);
    }
}
