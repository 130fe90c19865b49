package dev.courier.audit;

import dev.courier.nodes.Node;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

/** The nodes as they registered themselves: alive, on one build, on time, and reachable over the bus. */
final class FleetChecks {

    /** A node that went quiet this recently without saying it stopped counts as a failure; older ones are history. */
    static final Duration RECENTLY_GONE = Duration.ofHours(1);
    static final long CLOCK_TOLERANCE_MILLIS = 1_000;

    private FleetChecks() {
    }

    static CheckResult nodes(AuditContext c) {
        List<Node> alive = c.alive();
        List<Node> gone = c.nodes().stream().filter(n -> n.state().equals(Node.GONE)
                && n.quietMillis() < RECENTLY_GONE.toMillis()).toList();
        long stopped = c.nodes().stream().filter(n -> n.state().equals(Node.STOPPED)).count();
        if (alive.isEmpty()) {
            return CheckResult.fail("fleet.nodes", "no node alive (heard from within 30 s)" + (gone.isEmpty() ? ""
                    : "; gone: " + describeGone(gone)), "start the nodes, or find why they cannot reach PostgreSQL");
        }
        String aliveText = alive.size() + " alive (" + alive.stream().map(Node::address)
                .collect(Collectors.joining(", ")) + ")";
        if (!gone.isEmpty()) {
            return CheckResult.fail("fleet.nodes", aliveText + "; gone quiet without stopping: " + describeGone(gone),
                    "find out why (crash, kill -9, lost network to PostgreSQL) in their logs; restart or replace them");
        }
        return CheckResult.pass("fleet.nodes", aliveText + (stopped == 0 ? "" : "; " + stopped + " stopped cleanly"));
    }

    private static String describeGone(List<Node> gone) {
        return gone.stream().map(n -> n.address() + " quiet for " + n.quietMillis() / 1000 + " s")
                .collect(Collectors.joining(", "));
    }

    static CheckResult versions(AuditContext c) {
        java.util.TreeMap<String, List<String>> byVersion = c.alive().stream().collect(Collectors.groupingBy(Node::version,
                java.util.TreeMap::new, Collectors.mapping(Node::address, Collectors.toList())));
        if (byVersion.size() > 1) {
            return CheckResult.warn("fleet.versions", "live nodes run " + byVersion.size() + " versions: "
                            + byVersion.entrySet().stream().map(e -> e.getKey() + " on " + String.join(", ", e.getValue()))
                            .collect(Collectors.joining("; ")),
                    "finish the rolling upgrade, or roll back the nodes that run the odd one");
        }
        return CheckResult.pass("fleet.versions", byVersion.isEmpty() ? "no live node"
                : "every live node runs " + byVersion.firstKey());
    }

    /**
     * Each heartbeat reads PostgreSQL's {@code clock_timestamp()} between two readings of the node's clock and
     * stores both: the difference is the node's skew, known to within half that query's round trip.
     */
    static CheckResult clocks(AuditContext c) {
        List<Node> alive = c.alive();
        if (alive.isEmpty()) {
            return CheckResult.warn("fleet.clocks", "no live node to compare", "start the nodes");
        }
        // off only when even the most favourable reading of the measurement is more than a second out
        List<Node> off = alive.stream().filter(n -> Math.abs(n.clockSkewMillis())
                - n.settings().clockUncertaintyMillis() > CLOCK_TOLERANCE_MILLIS).toList();
        long worst = alive.stream().mapToLong(n -> Math.abs(n.clockSkewMillis())).max().orElse(0);
        long uncertainty = alive.stream().mapToLong(n -> n.settings().clockUncertaintyMillis()).max().orElse(0);
        if (!off.isEmpty()) {
            return CheckResult.fail("fleet.clocks", "clock off PostgreSQL's by more than 1 s: " + off.stream()
                            .map(n -> n.address() + " " + signed(n.clockSkewMillis()) + " ms (+/- "
                                    + n.settings().clockUncertaintyMillis() + " ms)").collect(Collectors.joining(", ")),
                    "run NTP (chrony, systemd-timesyncd) on those hosts and on the database host: timestamps of "
                            + "messages, sessions and alerts disagree, and the audit's freshness checks mislead");
        }
        return CheckResult.pass("fleet.clocks", "every live node within " + worst + " ms of PostgreSQL's clock (+/- "
                + uncertainty + " ms of measurement)");
    }

    private static String signed(long millis) {
        return (millis > 0 ? "+" : "") + millis;
    }

    /** Has a node publish a probe and waits for every live node to record hearing it. */
    static CheckResult busProbe(AuditContext c) throws Exception {
        List<Node> alive = c.alive();
        if (alive.isEmpty()) {
            return CheckResult.warn("fleet.bus-probe", "no live node to probe", "start the nodes");
        }
        if (c.prober().isEmpty()) {
            return CheckResult.warn("fleet.bus-probe", "not checked: the audit needs a node to publish the probe",
                    "give --url of any node and --admin-token");
        }
        var store = new dev.courier.nodes.NodeStore();
        Instant sent = c.db().withHandle("audit.clock", h -> h.createQuery("SELECT clock_timestamp()")
                .mapTo(java.sql.Timestamp.class).one()).toInstant();
        UUID probe = c.prober().get().publish();
        long deadline = System.nanoTime() + c.probeTimeout().toNanos();
        Map<UUID, Instant> heard = Map.of();
        try {
            while (System.nanoTime() < deadline) {
                Map<UUID, Instant> now = c.db().withHandle("audit.probe", h -> store.probeReceipts(h, probe));
                heard = now;
                if (alive.stream().allMatch(n -> now.containsKey(n.nodeId()))) {
                    break;
                }
                Thread.sleep(50);
            }
        } finally {
            c.db().withHandle("audit.probe-forget", h -> {
                store.forgetProbe(h, probe);
                return null;
            });
        }
        List<String> missing = new ArrayList<>();
        long slowest = 0;
        for (Node n : alive) {
            Instant at = heard.get(n.nodeId());
            if (at == null) {
                missing.add(n.address());
            } else {
                slowest = Math.max(slowest, Duration.between(sent, at).toMillis());
            }
        }
        if (!missing.isEmpty()) {
            return CheckResult.fail("fleet.bus-probe", "a probe published on the bus did not reach "
                            + String.join(", ", missing) + " within " + c.probeTimeout().toSeconds() + " s (reached "
                            + heard.size() + " of " + alive.size() + ")",
                    "check those nodes' bus connection (courier_bus_listener_connected, the NATS server, or "
                            + "LISTEN/NOTIFY through a pooler in transaction mode): their users miss other nodes' "
                            + "messages until they reconnect");
        }
        return CheckResult.pass("fleet.bus-probe", "a probe reached all " + alive.size() + " live nodes in "
                + slowest + " ms (slowest, by PostgreSQL's clock)");
    }

    /**
     * A pooler (PgBouncer) or proxy in the path shows as a session that PostgreSQL says arrived on another port than
     * the one its client connected to. When the audit's own connection goes through it, PgBouncer's console at the
     * same address is read ({@code SHOW DATABASES}, {@code SHOW CONFIG}): its pool for Courier's database must hold
     * every node's pool and bus listener, and LISTEN/NOTIFY needs session pooling. Where it cannot be read, or only the
     * nodes go through a pooler, the check says so rather than guess.
     */
    static CheckResult pooler(AuditContext c) {
        List<String> behind = new ArrayList<>();
        Integer auditServerPort = c.db().withHandle("audit.server-port", h -> h.createQuery(
                "SELECT inet_server_port()").mapTo(Integer.class).findOne().orElse(null));
        boolean auditBehind = c.connectedPort() != null && auditServerPort != null
                && !c.connectedPort().equals(auditServerPort);
        if (auditBehind) {
            behind.add("this audit (port " + c.connectedPort() + ", PostgreSQL on " + auditServerPort + ")");
        }
        for (Node n : c.alive()) {
            Integer connected = n.settings().connectedPort();
            Integer server = n.settings().serverPort();
            if (connected != null && server != null && !connected.equals(server)) {
                behind.add(n.address() + " (port " + connected + ", PostgreSQL on " + server + ")");
            }
        }
        long pools = c.alive().stream().mapToLong(n -> n.settings().poolSize()).sum();
        long listeners = c.alive().stream().mapToLong(n -> n.settings().busListeners()).sum();
        if (behind.isEmpty()) {
            return CheckResult.pass("pgbouncer.pools", "no pooler in the path: every live node and this audit reach "
                    + "PostgreSQL on the port they connect to");
        }
        String where = "a pooler or proxy sits in the path of " + String.join(", ", behind);
        String needed = (pools + listeners) + " (the nodes' pools " + pools + " + " + listeners + " bus listeners)";
        if (auditBehind && c.pooler().isPresent()) {
            try {
                return judgePgBouncer(c.pooler().get(), where, needed, pools + listeners, listeners > 0);
            } catch (Exception e) {
                return CheckResult.warn("pgbouncer.pools", where + "; PgBouncer's console could not be read: "
                                + firstLine(e),
                        "check by hand (psql -p <port> -U <admin> pgbouncer -c 'SHOW DATABASES') that Courier's "
                                + "database has a pool_size >= " + needed + (listeners > 0 ? " and pool_mode = session"
                                : "") + "; the audit reads the console itself when its role is in stats_users and "
                                + "PgBouncer accepts the JDBC driver's SET extra_float_digits there ('SET failed' "
                                + "before the fix for pgbouncer#1509)");
            }
        }
        return CheckResult.warn("pgbouncer.pools", where + "; its pool sizes were not read (the audit reads "
                        + "PgBouncer's console only when its own --db-url goes through it)",
                "run the audit with the --db-url the nodes use, or check on PgBouncer's console that "
                        + "SHOW DATABASES gives Courier's database a pool_size >= " + needed
                        + (listeners > 0 ? " and pool_mode = session (LISTEN/NOTIFY)" : ""));
    }

    private static CheckResult judgePgBouncer(dev.courier.db.PgBouncerConsole console, String where, String needed,
                                              long neededCount, boolean listen) throws Exception {
        String name = console.databaseName();
        Map<String, String> config = new java.util.HashMap<>();
        for (Map<String, String> row : console.show("CONFIG")) {
            config.put(row.get("key"), row.get("value"));
        }
        Map<String, String> entry = console.show("DATABASES").stream().filter(r -> name.equals(r.get("name")))
                .findFirst().orElse(null);
        if (entry == null) {
            return CheckResult.warn("pgbouncer.pools", where + "; PgBouncer has no entry named " + name,
                    "check PgBouncer's [databases] section");
        }
        String poolText = entry.get("pool_size");
        long poolSize = poolText == null || poolText.isBlank() || poolText.equals("0")
                ? Long.parseLong(config.getOrDefault("default_pool_size", "20")) : Long.parseLong(poolText);
        String mode = entry.get("pool_mode") == null || entry.get("pool_mode").isBlank()
                ? config.getOrDefault("pool_mode", "session") : entry.get("pool_mode");
        String figure = "PgBouncer in the path (" + where.substring("a pooler or proxy sits in the path of ".length())
                + "): database " + name + " has pool_size " + poolSize + ", pool_mode " + mode + "; Courier holds "
                + needed;
        if (listen && !mode.equals("session")) {
            return CheckResult.fail("pgbouncer.pools", figure, "set pool_mode = session for Courier's database: "
                    + "LISTEN/NOTIFY does not survive transaction pooling, and the bus falls silent");
        }
        if (poolSize < neededCount) {
            return CheckResult.fail("pgbouncer.pools", figure, "raise pool_size for " + name + " to at least "
                    + neededCount + ": the nodes keep every connection of their pools open, and those beyond it wait "
                    + "inside PgBouncer, where no deadline of theirs applies");
        }
        return CheckResult.pass("pgbouncer.pools", figure);
    }

    private static String firstLine(Exception e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().lines().findFirst().orElse("");
    }

}
