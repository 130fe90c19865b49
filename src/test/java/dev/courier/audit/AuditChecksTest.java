package dev.courier.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.config.JdbcTarget;
import dev.courier.config.PoolConfig;
import dev.courier.db.Database;
import dev.courier.db.DatabaseTarget;
import dev.courier.db.PooledDatabaseFactory;
import dev.courier.nodes.NodeSettings;
import dev.courier.testing.TestDatabase;
import dev.courier.web.Json;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The checks' judgement of node rows as nodes write them, on a real database: rows that describe a deployment gone
 * wrong in every way a node can report (a clock off, timeouts not in force, limits off, a short token, CORS open, an
 * untrusted proxy, a stale alert engine, an unreachable receiver, a node gone, a build ahead of the schema).
 */
class AuditChecksTest {

    private static final Map<String, String> TIMEOUTS = Map.of("statement_timeout", "5s",
            "idle_in_transaction_session_timeout", "10s", "lock_timeout", "2s");
    private static final Map<String, String> LIMITS = Map.of("accounts", "20/1h", "sessions", "60/1m",
            "login-failures", "10/15m", "messages", "30/1s", "writes", "10/1s");

    private static JdbcTarget target;
    private static Database db;
    private static AuditReport report;
    private static int closedPort;

    @BeforeAll
    static void auditACraftedDeployment() throws Exception {
        target = TestDatabase.freshDatabase();
        db = PooledDatabaseFactory.open(new DatabaseTarget(target.jdbcUrl(), target.user(), target.password(), "test"),
                PoolConfig.defaults().withMaxSize(2), new SimpleMeterRegistry(), () -> { });
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        String hook = "http://127.0.0.1:" + closedPort + "/api/v2/alerts";
        Instant now = Instant.now();
        // A: clock 2.5 s ahead, alert engine silent for 5 minutes, receiver down
        String schema = db.schemaVersion();
        insert("a:1", "1.0", schema, "0 seconds", 2_500, "NULL", settings(6, LIMITS, List.of(hook), 0, List.of(), 40,
                TIMEOUTS, false, now.minusSeconds(300), false));
        // B: another build expecting a schema the database lacks, timeouts off on its sessions, every limit off,
        // a 10-character token, CORS open to all, an untrusted proxy in front
        insert("b:1", "2.0", "99", "1 second", 0, "NULL", settings(6, Map.of(), List.of(hook), 0, List.of("*"), 10,
                Map.of("statement_timeout", "0", "idle_in_transaction_session_timeout", "10s", "lock_timeout", "2s"),
                true, now, true));
        // C: quiet for two minutes without saying it stopped; D: stopped cleanly
        insert("c:1", "1.0", schema, "2 minutes", 0, "NULL", settings(6, LIMITS, List.of(hook), 0, List.of(), 40,
                TIMEOUTS, false, now, false));
        insert("d:1", "1.0", schema, "10 minutes", 0, "now() - interval '10 minutes'", settings(6, LIMITS,
                List.of(hook), 0, List.of(), 40, TIMEOUTS, false, now, false));
        AuditContext context = AuditContext.load(db, "crafted", null, Optional.empty(), Optional.empty(),
                HttpClient.newHttpClient());
        report = Audit.run(context);
        System.out.println(report.text());
    }

    @AfterAll
    static void close() {
        db.close();
    }

    @Test
    void aNodeGoneQuietWithoutStoppingFailsAndAStoppedOneDoesNot() {
        assertThat(line("fleet.nodes")).startsWith("FAIL").contains("2 alive (a:1, b:1)")
                .containsPattern("gone quiet without stopping: c:1 quiet for 1[2-5]\\d s").doesNotContain("d:1");
    }

    @Test
    void twoBuildsSideBySideAreARolloutLeftHalfWay() {
        assertThat(line("fleet.versions")).startsWith("WARN").contains("1.0 on a:1").contains("2.0 on b:1");
    }

    @Test
    void aNodeExpectingASchemaTheDatabaseLacksFails() {
        assertThat(line("schema.migrations")).startsWith("FAIL")
                .contains("database at V" + db.schemaVersion() + ", but b:1 expects V99");
    }

    @Test
    void aClockMoreThanASecondOffFailsWithItsSkew() {
        assertThat(line("fleet.clocks")).startsWith("FAIL").contains("a:1 +2500 ms").doesNotContain("b:1");
    }

    @Test
    void timeoutsNotInForceOnANodesSessionsFailNamingTheSetting() {
        assertThat(line("postgres.session-timeouts")).startsWith("FAIL")
                .contains("b:1: statement_timeout 0 (off), asks 5s").contains("ALTER ROLE");
    }

    @Test
    void theNodesOwnDefencesAreJudgedNodeByNode() {
        assertThat(line("safety.rate-limits")).startsWith("FAIL").contains("every rate limit off on b:1");
        assertThat(line("safety.admin-token")).startsWith("FAIL").contains("b:1 (10 characters)");
        assertThat(line("safety.cors")).startsWith("FAIL").contains("open to every origin on b:1");
        assertThat(line("safety.trusted-proxies")).startsWith("WARN").contains("b:1 (none trusted)");
    }

    @Test
    void aSilentAlertEngineAndAnUnreachableReceiverFail() {
        assertThat(line("alerting.engine")).startsWith("FAIL").contains("a:1 last evaluated 30");
        assertThat(line("alerting.webhooks-reachable")).startsWith("FAIL")
                .contains("http://127.0.0.1:" + closedPort + "/-/ready");
        assertThat(line("alerting.webhooks")).startsWith("PASS");
    }

    @Test
    void withoutANodeToPublishItTheBusProbeIsNotPassed() {
        assertThat(line("fleet.bus-probe")).startsWith("WARN").contains("--url");
    }

    @Test
    void theReportListsEveryCheckOnceInOrderAndExitsOne() {
        assertThat(report.results()).extracting(CheckResult::check).containsExactlyElementsOf(Audit.checkNames());
        assertThat(report.exitCode()).isEqualTo(1);
    }

    // ---- helpers

    private static String line(String check) {
        return report.results().stream().filter(r -> r.check().equals(check))
                .map(r -> r.status() + " " + r.figure() + " -> " + r.fix()).findFirst().orElseThrow();
    }

    private static NodeSettings settings(int pool, Map<String, String> limits, List<String> hooks, int proxies,
                                         List<String> cors, int tokenLength, Map<String, String> inForce,
                                         boolean forwarded, Instant evaluated, boolean faults) {
        Map<String, String> session = new java.util.HashMap<>(inForce);
        session.put("synchronous_commit", "on");
        return new NodeSettings(pool, 1, "postgres", 64, faults, limits, hooks, proxies, cors, tokenLength, TIMEOUTS,
                session, null, null, forwarded, evaluated, 3);
    }

    /** A row as a node's heartbeat writes it, {@code quiet} ago, its clock {@code skewMillis} ahead. */
    private static void insert(String address, String version, String schema, String quiet, long skewMillis,
                               String stoppedAt, NodeSettings settings) {
        TestDatabase.execute(target, "INSERT INTO nodes (node_id, version, address, started_at, heartbeat_at, "
                + "node_clock_at, stopped_at, schema_version, settings) VALUES ('" + UUID.randomUUID() + "', '"
                + version + "', '" + address + "', now() - interval '1 hour', now() - interval '" + quiet + "', "
                + "now() - interval '" + quiet + "' + interval '" + skewMillis + " milliseconds', " + stoppedAt
                + ", '" + schema + "', '" + Json.write(settings).replace("'", "''") + "'::jsonb)");
    }
}
