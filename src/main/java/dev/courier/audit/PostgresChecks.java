package dev.courier.audit;

import dev.courier.nodes.Node;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** PostgreSQL as Courier needs it: its version, its connection slots, its schema, and what its sessions do now. */
final class PostgresChecks {

    /** Connections kept free for people and tools: psql during an incident, a migration, a backup, this audit. */
    static final int OPERATOR_HEADROOM = 5;
    /** The oldest major version Courier runs on (pg_stat_wal, and what the suite runs on). */
    static final int OLDEST_SUPPORTED = 14;
    /** When each major version's community support ends (the PostgreSQL versioning policy: five years). */
    private static final Map<Integer, LocalDate> END_OF_LIFE = Map.of(13, LocalDate.of(2025, 11, 13),
            14, LocalDate.of(2026, 11, 12), 15, LocalDate.of(2027, 11, 11), 16, LocalDate.of(2028, 11, 9),
            17, LocalDate.of(2029, 11, 8), 18, LocalDate.of(2030, 11, 14));

    private PostgresChecks() {
    }

    static CheckResult reachable(AuditContext c) {
        long started = System.nanoTime();
        c.db().withHandle("audit.ping", h -> h.createQuery("SELECT 1").mapTo(Integer.class).one());
        long micros = (System.nanoTime() - started) / 1_000;
        return CheckResult.pass("postgres.reachable", "PostgreSQL " + c.serverVersion() + " answers in "
                + String.format(java.util.Locale.ROOT, "%.1f ms", micros / 1000.0));
    }

    static CheckResult version(AuditContext c, LocalDate today) {
        int major = c.serverVersionNum() / 10_000;
        if (major < OLDEST_SUPPORTED) {
            return CheckResult.fail("postgres.version", "PostgreSQL " + major + " is older than the oldest Courier "
                    + "supports (" + OLDEST_SUPPORTED + ")", "upgrade PostgreSQL to " + OLDEST_SUPPORTED + " or later "
                    + "(pg_upgrade, or a logical replica and a switch-over)");
        }
        LocalDate eol = END_OF_LIFE.get(major);
        if (eol != null && today.isAfter(eol)) {
            return CheckResult.warn("postgres.version", "PostgreSQL " + major + " left community support on " + eol
                    + ": no more security fixes", "plan the upgrade to a supported major version");
        }
        return CheckResult.pass("postgres.version", "PostgreSQL " + major + " is supported"
                + (eol == null ? "" : " until " + eol));
    }

    /**
     * The outage's arithmetic: every node opens its whole pool at start and keeps it, each LISTEN/NOTIFY bus holds
     * one more connection outside the pool, and so does each node's reachability probe. When their sum and the
     * operators' headroom exceed what PostgreSQL lets ordinary roles open, the next node to start (or the operator
     * opening psql mid-incident) is refused.
     */
    static CheckResult connections(AuditContext c) {
        long max = c.setting("max_connections").map(AuditContext.Setting::asLong).orElse(0L);
        long superuser = c.setting("superuser_reserved_connections").map(AuditContext.Setting::asLong).orElse(0L);
        long reserved = c.setting("reserved_connections").map(AuditContext.Setting::asLong).orElse(0L);
        long usable = max - superuser - reserved;
        List<Node> alive = c.alive();
        long pools = alive.stream().mapToLong(n -> n.settings().poolSize()).sum();
        long listeners = alive.stream().mapToLong(n -> n.settings().busListeners()).sum();
        long probes = alive.size();
        long needed = pools + listeners + probes + OPERATOR_HEADROOM;
        long inUse = c.db().withHandle("audit.connections", h -> h.createQuery(
                "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'").mapTo(Long.class).one());
        String slots = usable + " usable connections (max_connections " + max + " - " + superuser
                + " superuser_reserved_connections" + (c.setting("reserved_connections").isPresent()
                ? " - " + reserved + " reserved_connections" : "") + ")";
        String demand = alive.size() + (alive.size() == 1 ? " node's" : " nodes'") + " pools " + pools + " + "
                + listeners + " bus listeners + " + probes + " reachability probes + " + OPERATOR_HEADROOM
                + " operator headroom = " + needed;
        long largestPool = alive.stream().mapToLong(n -> n.settings().poolSize()).max().orElse(0);
        if (needed > usable) {
            long perNode = alive.isEmpty() ? 0 : (usable - listeners - probes - OPERATOR_HEADROOM) / alive.size();
            return CheckResult.fail("postgres.connections", slots + " < " + demand + "; " + inUse + " open now",
                    "raise max_connections to at least " + (needed + superuser + reserved)
                            + " (needs a PostgreSQL restart), or lower --pool-size to "
                            + (perNode < 1 ? "below 1: run fewer nodes" : "at most " + perNode + " on every node"));
        }
        if (needed + largestPool > usable) {
            return CheckResult.warn("postgres.connections", slots + " >= " + demand + ", but not one node more: a "
                            + "rolling restart that starts a node before stopping one exhausts them; " + inUse
                            + " open now",
                    "raise max_connections to at least " + (needed + largestPool + superuser + reserved)
                            + " or lower --pool-size");
        }
        return CheckResult.pass("postgres.connections", slots + " >= " + demand + " with room for one more node; "
                + inUse + " open now");
    }

    /** The schema the database is at against the one each live node's build expects. */
    static CheckResult migrations(AuditContext c) {
        record Applied(String version, boolean success) {
        }
        List<Applied> applied = c.db().withHandle("audit.migrations", h -> h.createQuery(
                        "SELECT version, success FROM flyway_schema_history WHERE version IS NOT NULL")
                .map((rs, ctx) -> new Applied(rs.getString(1), rs.getBoolean(2))).list());
        List<String> failed = applied.stream().filter(a -> !a.success()).map(Applied::version).toList();
        if (!failed.isEmpty()) {
            return CheckResult.fail("schema.migrations", "migration " + String.join(", ", failed)
                    + " failed half-way (flyway_schema_history.success = false)", "find why in the log of the node "
                    + "that ran it, repair the schema by hand, delete the failed row, and restart a node");
        }
        String current = applied.stream().map(Applied::version).max(PostgresChecks::compareVersions).orElse("0");
        List<String> ahead = new ArrayList<>();
        List<String> behind = new ArrayList<>();
        for (Node n : c.alive()) {
            int cmp = compareVersions(n.schemaVersion(), current);
            if (cmp > 0) {
                ahead.add(n.address() + " expects V" + n.schemaVersion());
            } else if (cmp < 0) {
                behind.add(n.address() + " expects V" + n.schemaVersion());
            }
        }
        if (!ahead.isEmpty()) {
            return CheckResult.fail("schema.migrations", "database at V" + current + ", but " + String.join(", ", ahead),
                    "restart those nodes: a node migrates the database at start, so its migration did not complete");
        }
        if (!behind.isEmpty()) {
            return CheckResult.warn("schema.migrations", "database at V" + current + ", ahead of "
                    + String.join(", ", behind), "finish the rolling upgrade: those nodes run an older build");
        }
        return CheckResult.pass("schema.migrations", "database at V" + current + ", as every live node expects");
    }

    static CheckResult longTransactions(AuditContext c) {
        record Open(int pid, String application, String state, long seconds) {
        }
        List<Open> open = c.db().withHandle("audit.long-transactions", h -> h.createQuery("""
                        SELECT pid, coalesce(application_name, ''), coalesce(state, '?'),
                               extract(epoch FROM now() - xact_start)::bigint
                          FROM pg_stat_activity
                         WHERE xact_start < now() - interval '60 seconds' AND backend_type = 'client backend'
                           AND pid <> pg_backend_pid()
                         ORDER BY xact_start""")
                .map((rs, ctx) -> new Open(rs.getInt(1), rs.getString(2), rs.getString(3), rs.getLong(4))).list());
        if (open.isEmpty()) {
            return CheckResult.pass("postgres.long-transactions", "no transaction open longer than 60 s");
        }
        String list = open.stream().limit(3).map(o -> "pid " + o.pid() + " (" + (o.application().isEmpty() ? "no name"
                : o.application()) + ", " + o.state() + ") for " + o.seconds() + " s").collect(Collectors.joining(", "));
        String figure = open.size() + " transaction" + (open.size() == 1 ? "" : "s") + " open longer than 60 s: " + list;
        String fix = "ask their owner, or end them with SELECT pg_terminate_backend(pid); an old transaction holds its "
                + "locks and keeps vacuum from removing dead rows";
        return open.getFirst().seconds() >= 600 ? CheckResult.fail("postgres.long-transactions", figure, fix)
                : CheckResult.warn("postgres.long-transactions", figure, fix);
    }

    static CheckResult idleInTransaction(AuditContext c) {
        record Idle(int pid, String application, long seconds) {
        }
        List<Idle> idle = c.db().withHandle("audit.idle-in-transaction", h -> h.createQuery("""
                        SELECT pid, coalesce(application_name, ''), extract(epoch FROM now() - state_change)::bigint
                          FROM pg_stat_activity
                         WHERE state IN ('idle in transaction', 'idle in transaction (aborted)')
                           AND state_change < now() - interval '10 seconds' AND pid <> pg_backend_pid()
                         ORDER BY state_change""")
                .map((rs, ctx) -> new Idle(rs.getInt(1), rs.getString(2), rs.getLong(3))).list());
        if (idle.isEmpty()) {
            return CheckResult.pass("postgres.idle-in-transaction", "no session idle in a transaction longer than 10 s");
        }
        String list = idle.stream().limit(3).map(i -> "pid " + i.pid() + " (" + (i.application().isEmpty() ? "no name"
                : i.application()) + ") for " + i.seconds() + " s").collect(Collectors.joining(", "));
        boolean courier = idle.stream().anyMatch(i -> i.application().equals("courier"));
        String figure = idle.size() + " session" + (idle.size() == 1 ? "" : "s") + " idle in a transaction: " + list;
        if (courier) {
            return CheckResult.fail("postgres.idle-in-transaction", figure, "a Courier session idle in a transaction "
                    + "past its idle_in_transaction_session_timeout means the timeout is not in force (see "
                    + "postgres.session-timeouts); end it with SELECT pg_terminate_backend(pid)");
        }
        return CheckResult.warn("postgres.idle-in-transaction", figure, "find the client that left it open and end it "
                + "(SELECT pg_terminate_backend(pid)); set idle_in_transaction_session_timeout for that role");
    }

    /** Courier asks for these on every session; a pooler that drops startup options leaves them off. */
    static CheckResult sessionTimeouts(AuditContext c) {
        List<String> problems = new ArrayList<>();
        List<String> seen = new ArrayList<>();
        for (Node n : c.alive()) {
            Map<String, String> inForce = n.settings().sessionSettings();
            for (var asked : n.settings().configuredTimeouts().entrySet()) {
                String actual = inForce.get(asked.getKey());
                if (actual == null) {
                    problems.add(n.address() + ": " + asked.getKey() + " not reported");
                } else if (actual.equals("0") || !actual.equals(asked.getValue())) {
                    problems.add(n.address() + ": " + asked.getKey() + " " + (actual.equals("0") ? "0 (off)" : actual)
                            + ", asks " + asked.getValue());
                }
            }
            seen.add(n.address() + " statement " + inForce.getOrDefault("statement_timeout", "?") + ", idle in "
                    + "transaction " + inForce.getOrDefault("idle_in_transaction_session_timeout", "?") + ", lock "
                    + inForce.getOrDefault("lock_timeout", "?"));
        }
        if (c.alive().isEmpty()) {
            return CheckResult.warn("postgres.session-timeouts", "no live node to read its sessions' timeouts from",
                    "start the nodes (see fleet.nodes), then audit again");
        }
        if (!problems.isEmpty()) {
            return CheckResult.fail("postgres.session-timeouts", "timeouts not in force on Courier's sessions: "
                            + String.join("; ", problems),
                    "a pooler in the path drops the startup options Courier sets them with: connect the nodes "
                            + "directly, or set them for Courier's role (ALTER ROLE ... SET statement_timeout = '5s', "
                            + "idle_in_transaction_session_timeout = '10s', lock_timeout = '2s')");
        }
        return CheckResult.pass("postgres.session-timeouts", "in force on every node's sessions: "
                + String.join("; ", seen));
    }

    static CheckResult synchronousCommit(AuditContext c) {
        String server = c.shown("synchronous_commit");
        List<String> off = new ArrayList<>();
        for (Node n : c.alive()) {
            String value = n.settings().sessionSettings().getOrDefault("synchronous_commit", "?");
            if (value.equals("off") || value.equals("local") && !server.equals("local")) {
                off.add(n.address() + " " + value);
            }
        }
        if (!off.isEmpty()) {
            return CheckResult.fail("postgres.synchronous-commit", "synchronous_commit not on for Courier's sessions: "
                            + String.join(", ", off), "Courier asks for it in its startup options: a pooler in the path "
                            + "drops them (see postgres.session-timeouts), so connect directly or ALTER ROLE ... SET "
                            + "synchronous_commit = on; otherwise RESET whatever turns it off for the role or database. "
                            + "Until then an acknowledged message can be lost in a crash");
        }
        if (server.equals("off")) {
            return CheckResult.warn("postgres.synchronous-commit", "on for Courier's sessions, but off for a session "
                    + "that does not ask (the audit's own): a node whose startup options a pooler drops, and every "
                    + "other client, may lose acknowledged commits in a crash", "set synchronous_commit = on in "
                    + "postgresql.conf (and for Courier's role) unless every other client means it");
        }
        return CheckResult.pass("postgres.synchronous-commit", "on for Courier's sessions and for a session that does "
                + "not ask (" + server + ")");
    }

    /** Flyway's versions ("7", "7.1"), compared part by part as numbers. */
    static int compareVersions(String a, String b) {
        String[] x = a.split("\\.");
        String[] y = b.split("\\.");
        for (int i = 0; i < Math.max(x.length, y.length); i++) {
            long p = i < x.length ? Long.parseLong(x[i]) : 0;
            long q = i < y.length ? Long.parseLong(y[i]) : 0;
            if (p != q) {
                return Long.compare(p, q);
            }
        }
        return 0;
    }
}
