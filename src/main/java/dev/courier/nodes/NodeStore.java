package dev.courier.nodes;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.courier.web.Json;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jdbi.v3.core.Handle;

/** SQL for {@code nodes} and {@code bus_probe_receipts} (V14__nodes.sql), on a handle lent by the caller. */
public final class NodeStore {

    /** The session settings a node reports as in force, in the order the audit shows them. */
    static final List<String> SESSION_SETTINGS = List.of("statement_timeout", "idle_in_transaction_session_timeout",
            "lock_timeout", "synchronous_commit");

    /** Rows of nodes that stopped or went quiet this long ago are removed. */
    private static final Duration FORGET_AFTER = Duration.ofDays(7);

    /** What the node's own session shows: the settings in force and the port PostgreSQL was reached on. */
    Map<String, String> sessionSettings(Handle h) {
        Map<String, String> inForce = new LinkedHashMap<>();
        for (String name : SESSION_SETTINGS) {
            inForce.put(name, h.createQuery("SELECT current_setting(:name)").bind("name", name)
                    .mapTo(String.class).one());
        }
        return inForce;
    }

    Integer serverPort(Handle h) {
        return h.createQuery("SELECT inet_server_port()").mapTo(Integer.class).findOne().orElse(null);
    }

    Instant databaseClock(Handle h) {
        return h.createQuery("SELECT clock_timestamp()").mapTo(Timestamp.class).one().toInstant();
    }

    /**
     * Inserts or refreshes the node's row: {@code databaseClock} is PostgreSQL's {@code clock_timestamp()} and
     * {@code nodeClock} the node's own time at the same instant.
     */
    void heartbeat(Handle h, UUID node, String version, String address, Instant startedAt, Instant databaseClock,
                   Instant nodeClock, String schemaVersion, NodeSettings settings) {
        h.createUpdate("""
                        INSERT INTO nodes (node_id, version, address, started_at, heartbeat_at, node_clock_at,
                                           schema_version, settings)
                        VALUES (:node, :version, :address, :started, :dbclock, :clock, :schema,
                                CAST(:settings AS jsonb))
                        ON CONFLICT (node_id) DO UPDATE SET heartbeat_at = :dbclock, node_clock_at = :clock,
                            stopped_at = NULL, settings = EXCLUDED.settings""")
                .bind("node", node)
                .bind("version", version)
                .bind("address", address)
                .bind("started", Timestamp.from(startedAt))
                .bind("clock", Timestamp.from(nodeClock))
                .bind("dbclock", Timestamp.from(databaseClock))
                .bind("schema", schemaVersion)
                .bind("settings", Json.write(settings))
                .execute();
    }

    void markStopped(Handle h, UUID node) {
        h.createUpdate("UPDATE nodes SET stopped_at = now() WHERE node_id = :node").bind("node", node).execute();
    }

    int forgetLongGone(Handle h) {
        return h.createUpdate("DELETE FROM nodes WHERE coalesce(stopped_at, heartbeat_at) < now() - "
                        + ":days * interval '1 day'")
                .bind("days", FORGET_AFTER.toDays())
                .execute()
                + h.createUpdate("DELETE FROM bus_probe_receipts WHERE received_at < now() - interval '1 day'")
                .execute();
    }

    /** Every node row, alive ones first, then by start time; {@code goneAfter} decides alive from gone. */
    public List<Node> list(Handle h, Duration goneAfter) {
        return h.createQuery("""
                        SELECT node_id, version, address, started_at, heartbeat_at, stopped_at, schema_version,
                               settings::text AS settings,
                               CASE WHEN stopped_at IS NOT NULL THEN 'stopped'
                                    WHEN heartbeat_at >= now() - :gone * interval '1 millisecond' THEN 'alive'
                                    ELSE 'gone' END AS state,
                               (extract(epoch FROM now() - heartbeat_at) * 1000)::bigint AS quiet_millis,
                               (extract(epoch FROM node_clock_at - heartbeat_at) * 1000)::bigint AS skew_millis
                          FROM nodes
                         ORDER BY (stopped_at IS NULL AND heartbeat_at >= now() - :gone * interval '1 millisecond')
                                  DESC, started_at, node_id""")
                .bind("gone", goneAfter.toMillis())
                .map((rs, ctx) -> new Node(
                        rs.getObject("node_id", UUID.class),
                        rs.getString("version"),
                        rs.getString("address"),
                        rs.getTimestamp("started_at").toInstant(),
                        rs.getTimestamp("heartbeat_at").toInstant(),
                        rs.getTimestamp("stopped_at") == null ? null : rs.getTimestamp("stopped_at").toInstant(),
                        rs.getString("schema_version"),
                        rs.getString("state"),
                        rs.getLong("quiet_millis"),
                        rs.getLong("skew_millis"),
                        readSettings(rs.getString("settings"))))
                .list();
    }

    /** This node heard bus probe {@code probe}. */
    void recordProbe(Handle h, UUID probe, UUID node) {
        h.createUpdate("INSERT INTO bus_probe_receipts (probe_id, node_id) VALUES (:probe, :node) "
                        + "ON CONFLICT DO NOTHING")
                .bind("probe", probe)
                .bind("node", node)
                .execute();
    }

    /** Which nodes heard {@code probe}, each with the time it did by PostgreSQL's clock. */
    public Map<UUID, Instant> probeReceipts(Handle h, UUID probe) {
        Map<UUID, Instant> heard = new LinkedHashMap<>();
        h.createQuery("SELECT node_id, received_at FROM bus_probe_receipts WHERE probe_id = :probe ORDER BY received_at")
                .bind("probe", probe)
                .map((rs, ctx) -> Map.entry(rs.getObject(1, UUID.class), rs.getTimestamp(2).toInstant()))
                .forEach(e -> heard.put(e.getKey(), e.getValue()));
        return heard;
    }

    public void forgetProbe(Handle h, UUID probe) {
        h.createUpdate("DELETE FROM bus_probe_receipts WHERE probe_id = :probe").bind("probe", probe).execute();
    }

    private static NodeSettings readSettings(String json) {
        try {
            return Json.mapper().readValue(json, NodeSettings.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("unreadable nodes.settings: " + e.getOriginalMessage(), e);
        }
    }
}
