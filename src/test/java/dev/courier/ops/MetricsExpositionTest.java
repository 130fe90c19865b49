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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
                    "jvm_threads_live_threads",
                    "process_files_open_files",
                    "process_resident_memory_bytes",
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

    @Test
    void everyMetricTheDashboardAndAlertRulesQueryIsInALiveScrape() throws Exception {
        List<String> queries = new ArrayList<>(dashboardQueries(Path.of("deploy/grafana/courier-dashboard.json")));
        queries.addAll(ruleQueries(Path.of("deploy/prometheus/courier-alerts.yml")));
        Set<String> queried = new TreeSet<>();
        queries.forEach(q -> queried.addAll(metricNames(q)));
        assertThat(queried).as("names read from deploy/ (is the parsing still right?)").contains(
                "courier_http_server_requests_seconds_bucket", "courier_stream_frames_sent_total",
                "hikaricp_connections_pending", "courier_db_pool_leases_leaking", "jvm_memory_used_bytes");

        try (TestServer server = TestServer.start()) {
            ApiClient api = server.client();
            TestUser alice = api.newUser("deployed");
            TestUser bob = api.newUser("deployed");
            assertThat(api.sendMessage(alice, api.direct(alice, bob), "counted").status()).isEqualTo(201);
            // courier_http_server_errors_total is labelled by error code, so it has a series once a code was answered
            assertThat(api.get("/v1/me", "not-a-token").status()).isEqualTo(401);
            ApiClient.Response scrape = api.get("/metrics", null);
            assertThat(scrape.status()).isEqualTo(200);
            // Sample names as exported, suffixes included (_total, _bucket, _count, _sum, _max, _seconds), as PromQL
            // names them.
            Set<String> exported = scrape.body().lines().filter(l -> !l.isBlank() && !l.startsWith("#"))
                    .map(l -> l.split("[{ ]", 2)[0]).collect(Collectors.toCollection(TreeSet::new));

            assertThat(exported).as("series a dashboard panel or alert rule in deploy/ queries").containsAll(queried);
        }
    }

    @Test
    void metricNamesAreReadFromPromqlWithoutFunctionsLabelsOrGrouping() {
        assertThat(metricNames("histogram_quantile(0.99, sum by (le, call_site) (rate("
                + "courier_db_connection_hold_seconds_bucket{instance=~\"$instance\"}[1m])))"))
                .containsExactly("courier_db_connection_hold_seconds_bucket");
        assertThat(metricNames("max by (instance) (hikaricp_connections_active{pool=\"courier\"}) >= max by "
                + "(instance) (hikaricp_connections_max) or sum without (code) (courier_x_total offset 5m) > 0.5"))
                .containsExactlyInAnyOrder("hikaricp_connections_active", "hikaricp_connections_max", "courier_x_total");
    }

    private static final Pattern DASHBOARD_EXPR = Pattern.compile("\"expr\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");
    private static final Pattern STRING = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"");
    private static final Pattern GROUPING = Pattern.compile(
            "\\b(?:by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
    private static final Pattern IDENTIFIER = Pattern.compile("(?<![\\w.])([a-zA-Z_:][a-zA-Z0-9_:]*+)(?!\\s*\\()");
    private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "bool", "offset", "by", "without",
            "on", "ignoring", "group_left", "group_right", "inf", "nan");

    /** The {@code expr} of every panel target, JSON escapes undone. */
    private static List<String> dashboardQueries(Path dashboard) throws Exception {
        Matcher m = DASHBOARD_EXPR.matcher(Files.readString(dashboard));
        List<String> queries = new ArrayList<>();
        while (m.find()) {
            queries.add(m.group(1).replace("\\\"", "\"").replace("\\\\", "\\"));
        }
        assertThat(queries).as("expr fields in " + dashboard).isNotEmpty();
        return queries;
    }

    /** The {@code expr} of every rule: inline, or the indented lines of a folded ({@code >}) block below it. */
    private static List<String> ruleQueries(Path rules) throws Exception {
        List<String> lines = Files.readAllLines(rules);
        List<String> queries = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            int at = line.indexOf("expr:");
            if (at < 0 || line.strip().startsWith("#")) {
                continue;
            }
            String inline = line.substring(at + "expr:".length()).strip();
            if (!inline.startsWith(">") && !inline.startsWith("|")) {
                queries.add(inline);
                continue;
            }
            int indent = at;
            StringBuilder block = new StringBuilder();
            while (i + 1 < lines.size() && (lines.get(i + 1).isBlank()
                    || lines.get(i + 1).length() - lines.get(i + 1).stripLeading().length() > indent)) {
                block.append(' ').append(lines.get(++i).strip());
            }
            queries.add(block.toString().strip());
        }
        assertThat(queries).as("expr fields in " + rules).isNotEmpty();
        return queries;
    }

    /**
     * Metric names in a PromQL query: identifiers left once strings (label values), label matchers, range selectors
     * and grouping clauses are removed, other than function names (followed by a parenthesis) and keywords.
     */
    private static Set<String> metricNames(String query) {
        String bare = STRING.matcher(query).replaceAll("\"\"");
        bare = bare.replaceAll("\\{[^}]*}", " ").replaceAll("\\[[^]]*]", " ");
        bare = GROUPING.matcher(bare).replaceAll(" ");
        Set<String> names = new TreeSet<>();
        Matcher m = IDENTIFIER.matcher(bare);
        while (m.find()) {
            String name = m.group(1);
            if (!KEYWORDS.contains(name.toLowerCase()) && !name.matches("\\d.*")) {
                names.add(name);
            }
        }
        return names;
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
