package dev.courier.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.courier.config.JdbcTarget;
import dev.courier.testing.Alertmanager;
import dev.courier.testing.ApiClient;
import dev.courier.testing.NodeProcess;
import dev.courier.testing.PgBouncer;
import dev.courier.testing.TestDatabase;
import dev.courier.web.Json;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code courier audit} as an operator runs it, as a process, against deployments of real node processes: a healthy
 * one (two nodes on the suite's PostgreSQL, a real Alertmanager) passes; one whose PostgreSQL has too few connection
 * slots for its pools, with fault injection on and no webhook, fails naming each problem with its figure and fix; an
 * unreachable database cannot be audited.
 */
class AuditEndToEndTest {

    private static final String TOKEN = "audit-test-admin-token-0123456789abcdef";

    @TempDir
    Path dir;

    record Run(int exitCode, String out, String err) {
        List<String> lines(String status) {
            return out.lines().filter(l -> l.startsWith(status + " ")).toList();
        }

        String line(String check) {
            return out.lines().filter(l -> l.matches("^(PASS|WARN|FAIL)\\s+" + java.util.regex.Pattern.quote(check)
                    + "\\s.*")).findFirst().orElseThrow(() -> new AssertionError("no line for " + check + ":\n" + out));
        }
    }

    @Test
    void aHealthyDeploymentPassesWithTheBusProbeReachingBothNodes() throws Exception {
        JdbcTarget db = TestDatabase.freshDatabase();
        try (Alertmanager alertmanager = Alertmanager.start(Files.createDirectories(dir.resolve("am")));
             Nodes nodes = Nodes.start(db.jdbcUrl(), "--admin-token", TOKEN, "--alert-webhook",
                     alertmanager.webhook())) {
            awaitAlive(nodes.first(), 2);

            Run run = audit("--db-url", db.jdbcUrl(), "--url", nodes.first().baseUrl(), "--admin-token", TOKEN);
            System.out.println("healthy deployment, exit " + run.exitCode() + ":\n" + run.out());
            assertThat(run.lines("FAIL")).as(run.out()).isEmpty();
            assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
            assertThat(run.line("fleet.nodes")).startsWith("PASS").contains("2 alive");
            assertThat(run.line("postgres.connections")).startsWith("PASS");
            assertThat(run.line("postgres.session-timeouts")).startsWith("PASS").contains("statement 5s");
            assertThat(run.line("fleet.bus-probe")).startsWith("PASS").contains("reached all 2 live nodes");
            assertThat(run.line("alerting.webhooks-reachable")).startsWith("PASS").contains("/-/ready 200");
            assertThat(run.line("alerting.engine")).startsWith("PASS");
            assertThat(run.line("safety.fault-injection")).startsWith("PASS");

            Run json = audit("--db-url", db.jdbcUrl(), "--format", "json");
            JsonNode report = Json.mapper().readTree(json.out());
            assertThat(report.get("checks")).hasSize(Audit.checkNames().size());
            assertThat(report.get("exitCode").asInt()).isEqualTo(json.exitCode()).isZero();
            // without a node to publish it, the probe is not sent, and the report says so rather than pass it
            assertThat(json.out()).contains("not checked: the audit needs a node to publish the probe");

            // a node stopped cleanly is shown as stopped, not gone
            nodes.second().close();
            JsonNode listed = awaitNodes(nodes.first(), n -> count(n, "stopped") == 1);
            assertThat(count(listed, "alive")).isEqualTo(1);
        }
    }

    @Test
    void tooFewConnectionSlotsFaultInjectionAndNoWebhookFailWithFiguresAndFixes() throws Exception {
        try (EmbeddedPostgres small = EmbeddedPostgres.builder()
                .setDataDirectory(dir.resolve("small-pg")).setCleanDataDirectory(true)
                .setServerConfig("max_connections", "20").setServerConfig("listen_addresses", "127.0.0.1")
                .start()) {
            try (Connection c = small.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
                s.execute("CREATE DATABASE courier");
            }
            String url = small.getJdbcUrl("postgres", "courier");
            // 17 usable slots (20 - 3 reserved for superusers) against 2 pools of 6, 2 bus listeners, 2 reachability
            // probes and 5 to spare
            try (NodeProcess faulty = NodeProcess.start(url, "--pool-size", "6", "--admin-token", TOKEN,
                    "--enable-fault-injection", "--audit-interval", "10s");
                 NodeProcess plain = NodeProcess.start(url, "--pool-size", "6", "--admin-token", TOKEN)) {
                awaitAlive(faulty, 2);

                Run run = audit("--db-url", url, "--url", plain.baseUrl(), "--admin-token", TOKEN);
                System.out.println("unhealthy deployment, exit " + run.exitCode() + ":\n" + run.out());
                assertThat(run.exitCode()).as(run.out() + run.err()).isEqualTo(1);
                assertThat(run.line("postgres.connections")).startsWith("FAIL")
                        .contains("17 usable connections (max_connections 20 - 3 superuser_reserved_connections")
                        .contains("pools 12 + 2 bus listeners + 2 reachability probes + 5 operator headroom = 21")
                        .contains("raise max_connections to at least 24")
                        .contains("lower --pool-size to at most 4 on every node");
                String faultyAddress = faulty.baseUrl().substring("http://".length());
                assertThat(run.line("safety.fault-injection")).startsWith("WARN").contains(faultyAddress)
                        .doesNotContain(plain.baseUrl().substring("http://".length()))
                        .contains("without --enable-fault-injection");
                assertThat(run.line("alerting.webhooks")).startsWith("FAIL").contains("no alert webhook on")
                        .contains("--alert-webhook");
                assertThat(run.line("fleet.bus-probe")).startsWith("PASS");

                // the node's own audit reaches the same verdict, exports it and raises CourierAuditFailed
                ApiClient api = new ApiClient(faulty.baseUrl());
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
                while (api.metric("courier_audit_check", "check=\"postgres.connections\",status=\"fail\"") < 1
                        && System.nanoTime() < deadline) {
                    Thread.sleep(500);
                }
                assertThat(api.metric("courier_audit_check", "check=\"postgres.connections\",status=\"fail\""))
                        .isEqualTo(1.0);
                assertThat(api.metric("courier_audit_check", "check=\"postgres.connections\",status=\"pass\""))
                        .isZero();
                String alerts = awaitBody(api, "/v1/admin/alerts", "CourierAuditFailed");
                assertThat(alerts).contains("CourierAuditFailed").contains("postgres.connections");
            }
        }
    }

    @Test
    void aNodeBehindAPoolerThatDropsItsStartupOptionsRunsWithoutTimeouts() throws Exception {
        JdbcTarget db = TestDatabase.freshDatabase();
        String name = db.jdbcUrl().replaceFirst(".*/([^/?]+)\\?.*", "$1");
        // as PgBouncer is often configured for JDBC clients: the options Courier sets its timeouts with are dropped
        try (PgBouncer pooler = PgBouncer.start(Files.createDirectories(dir.resolve("pgbouncer")), name, 10,
                "extra_float_digits,options");
             NodeProcess node = NodeProcess.start(pooler.jdbcUrl(name), "--pool-size", "3", "--admin-token", TOKEN)) {
            awaitAlive(node, 1);

            Run run = audit("--db-url", pooler.jdbcUrl(name), "--url", node.baseUrl(), "--admin-token", TOKEN);
            System.out.println("node behind PgBouncer, exit " + run.exitCode() + ":\n" + run.out());
            assertThat(run.exitCode()).as(run.out() + run.err()).isEqualTo(1);
            String address = node.baseUrl().substring("http://".length());
            assertThat(run.line("postgres.session-timeouts")).startsWith("FAIL")
                    .contains(address + ": statement_timeout 0 (off), asks 5s")
                    .contains("idle_in_transaction_session_timeout 0 (off), asks 10s")
                    .contains("lock_timeout 0 (off), asks 2s");
            // and synchronous_commit, which Courier asks for the same way, falls back to the server's: the suite's
            // PostgreSQL runs with it off for speed
            assertThat(run.line("postgres.synchronous-commit")).startsWith("FAIL").contains(address + " off");
            assertThat(run.line("pgbouncer.pools")).startsWith("WARN")
                    .contains("this audit (port " + pooler.port() + ", PostgreSQL on " + TestDatabase.port() + ")")
                    .contains(address + " (port " + pooler.port())
                    .contains("pool_size >= 4 (the nodes' pools 3 + 1 bus listeners)");
            assertThat(run.line("fleet.bus-probe")).startsWith("PASS");
        }
    }

    @Test
    void anUnreachableDatabaseCannotBeAudited() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        Run run = audit("--db-url", "postgresql://postgres@127.0.0.1:" + closed + "/courier");
        System.out.println("unreachable database, exit " + run.exitCode() + ":\n" + run.err());
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("could not audit").contains("127.0.0.1:" + closed);
        assertThat(run.out()).isEmpty();
    }

    // ---- helpers

    /** Two nodes started side by side (a start takes a while on a busy machine). */
    record Nodes(NodeProcess first, NodeProcess second) implements AutoCloseable {
        static Nodes start(String url, String... options) {
            CompletableFuture<NodeProcess> a = CompletableFuture.supplyAsync(() -> NodeProcess.start(url, options));
            CompletableFuture<NodeProcess> b = CompletableFuture.supplyAsync(() -> NodeProcess.start(url, options));
            return new Nodes(a.join(), b.join());
        }

        @Override
        public void close() {
            first.close();
            second.close();
        }
    }

    private static Run audit(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "--sun-misc-unsafe-memory-access=allow", "-cp", System.getProperty("java.class.path"),
                "dev.courier.Courier", "audit"));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).start();
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return e.toString();
            }
        });
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("audit did not finish within 120 s:\n" + out);
        }
        return new Run(process.exitValue(), out, err.join());
    }

    private static void awaitAlive(NodeProcess node, int count) throws InterruptedException {
        awaitNodes(node, n -> count(n, "alive") == count);
    }

    private static JsonNode awaitNodes(NodeProcess node, java.util.function.Predicate<JsonNode> until)
            throws InterruptedException {
        ApiClient api = new ApiClient(node.baseUrl());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        JsonNode nodes = null;
        while (System.nanoTime() < deadline) {
            ApiClient.Response r = api.get("/v1/admin/nodes", TOKEN);
            if (r.status() == 200) {
                nodes = r.json();
                if (until.test(nodes)) {
                    return nodes;
                }
            }
            Thread.sleep(250);
        }
        throw new AssertionError("nodes not as expected within 60 s: " + nodes);
    }

    private static long count(JsonNode listed, String state) {
        long n = 0;
        for (JsonNode node : listed.get("nodes")) {
            if (node.get("state").asText().equals(state)) {
                n++;
            }
        }
        return n;
    }

    private static String awaitBody(ApiClient api, String path, String expected) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        String body = "";
        while (System.nanoTime() < deadline) {
            body = api.get(path, TOKEN).body();
            if (body.contains(expected)) {
                return body;
            }
            Thread.sleep(250);
        }
        return body;
    }
}
